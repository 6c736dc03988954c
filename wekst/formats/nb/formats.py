"""Norwegian dates: "26. november 2026" (stated here rather than left to Django's defaults)."""

DATE_FORMAT = "j. F Y"
DATETIME_FORMAT = "j. F Y H:i"
TIME_FORMAT = "H:i"
MONTH_DAY_FORMAT = "j. F"
YEAR_MONTH_FORMAT = "F Y"
SHORT_DATE_FORMAT = "d.m.Y"
SHORT_DATETIME_FORMAT = "d.m.Y H:i"
FIRST_DAY_OF_WEEK = 1  # Monday
