local actions = {}
-- The operator leaves a VippsToken that is being deleted alone, so a refresh would do nothing.
actions["refresh"] = {["disabled"] = obj.metadata.deletionTimestamp ~= nil}
return actions
