"""Learning support: diagnose real ECS/IAM errors, exercises for the notebooks, least-privilege
policies from the trace, and Terraform in and out. ``coach`` reads traces and lab state; it never
changes how the simulation decides."""
