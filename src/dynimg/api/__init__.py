"""The Alibaba RPC gateway: one registry of Actions, thin handlers, signing, one error mapper."""
