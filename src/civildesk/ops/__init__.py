"""What an operator needs to run civildesk: liveness, readiness and Prometheus metrics."""
