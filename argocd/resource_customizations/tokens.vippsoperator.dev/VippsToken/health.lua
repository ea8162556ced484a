-- Health of a VippsToken, and with the same script of a ClusterVippsToken, whose conditions
-- the vipps-token-operator writes alike. Healthy while the targets hold a valid token, also
-- while refreshes fail or some namespaces of a ClusterVippsToken do not hold it (Ready stays
-- True; the message then leads with the reason). Degraded when the token has expired, or
-- when the failure needs a person (Stalled). Progressing otherwise: waiting for the
-- operator, for the first token, or for a transient failure to pass.
-- Uses no standard library, so that it also runs from argocd-cm without useOpenLibs.
local hs = {}
local status = obj.status or {}
local conditions = {}
for _, condition in ipairs(status.conditions or {}) do
  conditions[condition.type] = condition
end
local ready = conditions["Ready"]

-- Until the operator has reported on the current spec, its status says nothing about it.
if ready == nil or (status.observedGeneration or 0) < obj.metadata.generation then
  hs.status = "Progressing"
  hs.message = "Waiting for the vipps-token-operator to observe the latest spec"
  return hs
end

local stalled = conditions["Stalled"]
local reason = ready.reason
if ready.status == "True" then
  hs.status = "Healthy"
elseif stalled ~= nil and stalled.status == "True" then
  hs.status = "Degraded"
  -- When the token has expired, Stalled names the failure behind it.
  reason = stalled.reason
elseif ready.reason == "TokenExpired" then
  hs.status = "Degraded"
else
  hs.status = "Progressing"
end

if reason == "TokenValid" then
  hs.message = ready.message
else
  hs.message = reason .. ": " .. ready.message
end
return hs
