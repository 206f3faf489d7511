SET threads = 2;
COPY events TO '@PQ@/events.parquet' (FORMAT PARQUET, COMPRESSION ZSTD);
COPY payments TO '@PQ@/payments.parquet' (FORMAT PARQUET, COMPRESSION ZSTD);
COPY posts TO '@PQ@/posts.parquet' (FORMAT PARQUET, COMPRESSION ZSTD);
