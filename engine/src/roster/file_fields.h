// The child's file fields a roster has columns for, in the order the
// workflows list them, each with the definition of the newest version of the
// first workflow keeping it in the file (as the runtime checks it).
//
// Thread safety: pure function; REQUIRES: the catalog outlives the result.
#pragma once

#include <vector>

#include "shouhu/catalog.h"
#include "shouhu/workflow.h"

namespace shouhu::roster {

std::vector<const FieldDef*> FileFields(const Catalog& catalog);

}  // namespace shouhu::roster
