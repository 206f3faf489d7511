// The numbers of parquet.thrift that wh writes and reads (Apache Parquet format).
#pragma once

#include <cstdint>

#include "format/types.h"

namespace wh::parquet {

// Type (physical)
enum class PhysicalKind : int32_t {
  kBoolean = 0, kInt32 = 1, kInt64 = 2, kInt96 = 3, kFloat = 4, kDouble = 5, kByteArray = 6,
  kFixedLenByteArray = 7,
};

// The physical type wh writes for a wh type (see writer.h).
PhysicalKind PhysicalOf(const DataType& t);

// FieldRepetitionType
constexpr int32_t kRequired = 0, kOptional = 1, kRepeated = 2;

// ConvertedType
constexpr int32_t kConvertedUtf8 = 0, kConvertedDecimal = 5, kConvertedDate = 6, kConvertedTimeMillis = 7,
                  kConvertedTimeMicros = 8, kConvertedTimestampMillis = 9, kConvertedTimestampMicros = 10,
                  kConvertedUint8 = 11, kConvertedUint16 = 12, kConvertedUint32 = 13, kConvertedUint64 = 14,
                  kConvertedInt8 = 15, kConvertedInt16 = 16, kConvertedInt32 = 17, kConvertedInt64 = 18,
                  kConvertedJson = 19, kConvertedEnum = 4;

// Encoding
constexpr int32_t kEncodingPlain = 0, kEncodingPlainDictionary = 2, kEncodingRle = 3, kEncodingBitPacked = 4,
                  kEncodingDeltaBinaryPacked = 5, kEncodingDeltaLengthByteArray = 6, kEncodingDeltaByteArray = 7,
                  kEncodingRleDictionary = 8, kEncodingByteStreamSplit = 9;

// CompressionCodec
constexpr int32_t kCodecUncompressed = 0, kCodecSnappy = 1, kCodecGzip = 2, kCodecLzo = 3, kCodecBrotli = 4,
                  kCodecLz4 = 5, kCodecZstd = 6, kCodecLz4Raw = 7;

// PageType
constexpr int32_t kPageData = 0, kPageIndex = 1, kPageDictionary = 2, kPageDataV2 = 3;

}  // namespace wh::parquet
