#include "api/child_query.h"

namespace shouhu::api {

ChildQuery ChildQueryOf(const HttpRequest& req) {
  ChildQuery q;
  q.name = req.Query("name");
  q.school = req.Query("school");
  q.class_name = req.Query("class");
  q.category = req.Query("category");
  q.helper = req.Query("helper");
  return q;
}

}  // namespace shouhu::api
