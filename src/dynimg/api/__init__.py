"""dynimg's HTTP front doors, each a package mounting its own routes: ``rpc`` (the Alibaba RPC
gateway), ``oss`` (uploads), ``files`` (signed and on-demand images), ``console`` (the web
console); ``app`` composes them with the operational endpoints of ``ops``."""
