-- bench/run: the home page as a first visit asks for it (no cookie, a browser's headers).
-- A fixed request, not a request() function: wrk then builds it once, and spends less of the
-- two cores it shares with the server.
dofile(os.getenv("BENCH_WRK_DIR") .. "/common.lua")
wrk.method = "GET"
wrk.path = "/"
wrk.headers["Accept"] = "text/html,application/xhtml+xml"
wrk.headers["Accept-Language"] = "en-GB,en;q=0.9,nb;q=0.8"
