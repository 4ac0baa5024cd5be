"""The simulated account: moto's stores, the gate that authorizes every call, the trace."""
