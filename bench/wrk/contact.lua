-- bench/run: the contact scenario (requests built in common.lua).
dofile(os.getenv("BENCH_WRK_DIR") .. "/common.lua")
request = contact_request
