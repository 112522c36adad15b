-- POSTs one fixed form body (BODY in the environment), as botocore sends EC2 Query requests.
wrk.method = "POST"
wrk.body = os.getenv("BODY")
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded; charset=utf-8"
wrk.headers["Authorization"] = "AWS4-HMAC-SHA256 Credential=AKIDBENCH/20261123/us-east-1/ec2/aws4_request, SignedHeaders=host, Signature=0"
