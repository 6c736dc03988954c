-- bench/run: the consent scenario (requests built in common.lua).
dofile(os.getenv("BENCH_WRK_DIR") .. "/common.lua")
request = consent_request
