"""Sample requests and answers of Trafft's API v2 for booking from our page, as the tests and
processors.fake.FakeTrafftApi use them.

Source: ../shared/providers.md, section "Trafft" (gathered from trafft.com/docs/custom-features/api/,
Trafft's Postman workspace documenter.getpostman.com/view/1487056/2sAY4x9MRe, and an integration
verified against a live Trafft v2 instance in October 2026). Where providers.md gives the shape,
it is followed exactly; where it is silent, the sample is marked GUESS and kept minimal
(processors/trafft_booking.py says how each is read).
"""

# GET {base}/available-times?service=3[&employee=7]: "upcoming free slots (a rolling window; no
# date filter)". GUESS: the answer's shape. Lists return {"data": [...], "pagination": …}; each
# free time is read with the fields POST /bookings takes (date, time, employee).
AVAILABLE_TIMES_QUERY = {"service": ["3"]}
AVAILABLE_TIMES_ANSWER = {
    "data": [
        {"date": "2026-12-08", "time": "09:00", "employee": 7},
        {"date": "2026-12-08", "time": "13:30", "employee": 7},
        {"date": "2026-12-09", "time": "10:00", "employee": 8},
    ]
}
# GUESS, the other shape read: an object keyed by date (as Trafft's sister product Amelia answers).
AVAILABLE_TIMES_BY_DATE = {"2026-12-08": {"09:00": [[7, None]]}, "2026-12-09": ["10:00"]}

# POST {base}/customers: providers.md names the fields `first_name`, `last_name`, `email`,
# `phone`, `description`; we send no `description`, and `phone` only when the person gave one.
CREATE_CUSTOMER_REQUEST = {
    "first_name": "Kari",
    "last_name": "Nordmann",
    "email": "kari@klinikk.example",
    "phone": "+4791234567",
}
# GUESS: the answer is the created object, like a single GET ("single GETs return the object").
CREATE_CUSTOMER_ANSWER = {"id": 101, **CREATE_CUSTOMER_REQUEST}

# POST {base}/bookings: providers.md names `service`, `employee`, `customer` (an existing
# customer id: create the customer first), `date` (YYYY-MM-DD), `time` (HH:mm); optional
# `location` and `status`, which we do not send.
CREATE_BOOKING_REQUEST = {
    "service": 3,
    "employee": 7,
    "customer": 101,
    "date": "2026-12-08",
    "time": "09:00",
}
# GUESS: the answer is the appointment with its `id`; a time no longer free is some 4xx (the
# fake answers 422), after which the free times are asked again.
CREATE_BOOKING_ANSWER = {"id": 9000, "status": "approved", **CREATE_BOOKING_REQUEST}
SLOT_TAKEN_ANSWER = (422, {"message": "The selected time slot is not available."})
