// The register's search criteria from a request's query (?name=&school=
// &class=&category=&helper=), shared by the search and the export.
//
// Thread safety: pure function.
#pragma once

#include "api/http_message.h"
#include "shouhu/child_register.h"

namespace shouhu::api {

// The criteria only: units, offset and limit are the caller's to set.
ChildQuery ChildQueryOf(const HttpRequest& req);

}  // namespace shouhu::api
