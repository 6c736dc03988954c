-- bench/soak: a steady mix of the three requests, paced. Each connection waits
-- BENCH_DELAY_MS between its requests, so the rate is about connections * 1000 / delay.
dofile(os.getenv("BENCH_WRK_DIR") .. "/common.lua")
local pause = tonumber(os.getenv("BENCH_DELAY_MS") or "200")
local turn = 0
-- Per ten requests: five home pages, three consent decisions, two contact submissions.
local mix = { home_request, consent_request, home_request, contact_request, home_request,
              consent_request, home_request, contact_request, home_request, consent_request }

function request()
  turn = turn % #mix + 1
  return mix[turn]()
end

function delay()
  return pause
end
