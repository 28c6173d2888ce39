"""The Alibaba RPC front door at ``/``: one registry of Actions, thin handlers, signing."""
