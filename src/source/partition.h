// Partition: a part of an entity synced as a work unit of its own
// (sync/work_units.h). Apart from source.h so that layers below the
// JavaScript runtime's headers (sync/) can name it.
#pragma once

#include <string>

#include "core/value.h"

namespace sluice {

// A part of an entity that a distributed or sharded run syncs as a unit of
// its own (sync/work_units.h): a table integration's multiplexer client, or
// what a declared entity's optional `partitions(config)` handler returned
// (a key or time range). The handler sees `spec` as options.partition.
struct Partition {
  std::string id;  // stable across processes and runs: the unit's identity, rows' _sluice_partition
  Value spec;      // for an integration {"client": id}; for a declared entity what partitions() gave
};

}  // namespace sluice
