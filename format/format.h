// The public header of the format module: bytes on disk. Knows nothing about tables or SQL.
#pragma once

#include "format/bucket_hash.h"
#include "format/coding.h"
#include "format/column.h"
#include "format/encoding.h"
#include "format/file_system.h"
#include "format/segment.h"
#include "format/status.h"
#include "format/thread.h"
#include "format/types.h"
#include "format/value_text.h"
