"""Views with planted faults, to prove that the fuzz test of the public endpoints can fail."""

from django.http import HttpResponse, HttpResponseBadRequest
from django.urls import path
from django.utils.safestring import mark_safe
from django.views.decorators.csrf import csrf_exempt

from subjects.models import Subject


@csrf_exempt
def crash(request):
    if request.method == "POST":
        raise RuntimeError("planted crash")
    return HttpResponse("ok")


@csrf_exempt
def stores_then_refuses(request):
    if request.method == "POST":
        Subject.objects.create(phone="+4700000000")
        return HttpResponseBadRequest("refused")
    return HttpResponse("ok")


def echo(request):
    # Marks every query value safe: the fault an escaping test exists to catch.
    values = " ".join(request.GET.values()) + " ".join(str(v) for v in request.POST.values())
    return HttpResponse(mark_safe(f"<p>{values}</p>"), content_type="text/html")  # noqa: S308


urlpatterns = [
    path("planted/crash/", crash),
    path("planted/stores-then-refuses/", stores_then_refuses),
    path("planted/echo/", csrf_exempt(echo)),
]
