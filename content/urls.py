from django.urls import path

from content import pages, views

app_name = "content"
urlpatterns = [
    path("", pages.home, name="home"),
    path("services/", pages.page, {"slug": "services"}, name="services"),
    path("about/", pages.page, {"slug": "about"}, name="about"),
    path("articles/", views.article_list, name="articles"),
    path("articles/<slug:slug>/", views.article_detail, name="article"),
    path("account/signup/", views.signup, name="signup"),
    path("account/signup/sent/", views.signup_sent, name="signup_sent"),
    path("account/signup/confirm/<str:token>/", views.signup_confirm, name="signup_confirm"),
    path("account/login/", views.SignInView.as_view(), name="login"),
    path("account/logout/", views.SignOutView.as_view(), name="logout"),
    path("account/profile/", views.profile, name="profile"),
    path("account/profile/delete/", views.delete_profile, name="delete_profile"),
    path("account/deleted/", views.profile_deleted, name="profile_deleted"),
    path("children/report/", views.child_report, name="child_report"),
    path("children/report/thanks/", views.child_report_thanks, name="child_report_thanks"),
]
