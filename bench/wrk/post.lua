-- POSTs one fixed, already signed form body, as botocore sends EC2 Query requests. SigV4 allows replays within
-- the 15-minute window, so one signature serves the whole run. BODY, AMZ_DATE and AUTHORIZATION come from the
-- environment.
wrk.method = "POST"
wrk.body = os.getenv("BODY")
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded; charset=utf-8"
wrk.headers["X-Amz-Date"] = os.getenv("AMZ_DATE")
wrk.headers["Authorization"] = os.getenv("AUTHORIZATION")
