-- The operator requests one token for each new value of this annotation. Argo CD offers
-- actions os.date and os.time only through require("os").
local os = require("os")
if obj.metadata.annotations == nil then
  obj.metadata.annotations = {}
end
obj.metadata.annotations["tokens.vippsoperator.dev/refresh"] = os.date("!%Y-%m-%dT%H:%M:%SZ")
return obj
