-- Numeric functions over every numeric type, with NULLs, zeros, negatives and extremes.
SELECT id, ABS(n), ABS(big), ABS(d), ABS(amount) FROM t WHERE big > -9223372036854775807 OR big IS NULL;
SELECT id, SIGN(n), SIGN(d), SIGN(amount) FROM t;
SELECT id, FLOOR(d), CEIL(d), CEILING(amount), FLOOR(amount), TRUNC(d), TRUNC(amount) FROM t;
SELECT id, FLOOR(n), CEIL(big) FROM t WHERE id < 5;
SELECT id, ROUND(d), ROUND(d, 1), ROUND(d, 2), ROUND(d, -1), ROUND(amount), ROUND(amount, 1), ROUND(amount, -1), ROUND(amount, -2) FROM t;
SELECT ROUND(1234.5, -2), ROUND(-1234.5678, -2), ROUND(99.5), ROUND(-2.5), ROUND(2.675::DOUBLE, 2), ROUND(1.005::DOUBLE, 2);
-- (not the extremes: DuckDB 1.5 rounds -9223372036854775807 to hundreds as 9223372036854775700)
SELECT ROUND(n, -1), ROUND(big, -2), ROUND(n, 2) FROM t WHERE ABS(big) < 1000000000000;
SELECT ROUND(123.456::DOUBLE, -1), ROUND(-0.4::DOUBLE), ROUND(1e300::DOUBLE, 2), ROUND(5e-324::DOUBLE, 2);
SELECT id, MOD(n, 3), MOD(big, 7), n % 4 FROM t WHERE n IS NOT NULL;
SELECT MOD(7.5, 2), MOD(-7, 3), MOD(7, -3);
SELECT id, POWER(d, 2), POW(n, 2), SQRT(ABS(d)), CBRT(d), EXP(n / 100.0) FROM t WHERE id < 12;
SELECT POWER(2, 10), POWER(2, 0.5), POWER(0, -1), SQRT(4), CBRT(27), EXP(1), EXP(1000);
SELECT LN(2.718281828459045), LN(10), LOG(100), LOG(2, 8), LOG10(1000), LOG2(8), LOG10(0.001);
SELECT id, LN(ABS(d)), LOG10(ABS(amount)), LOG2(ABS(n)) FROM t WHERE d <> 0 AND amount <> 0 AND n <> 0;
-- error
SELECT SQRT(-1);
-- error
SELECT LN(0);
-- error
SELECT LOG10(-5);
SELECT SQRT(NULL), LN(NULL), POWER(NULL, 2), POWER(2, NULL), SIGN(NULL), ABS(NULL), ROUND(NULL, 2);
SELECT PI(), DEGREES(PI()), RADIANS(180), SIN(0), COS(0), TAN(0), ASIN(1), ACOS(1), ATAN(1), ATAN2(1, 1);
SELECT GCD(12, 18), LCM(4, 6), GCD(0, 5), LCM(0, 5), GCD(-12, 18);
SELECT id, GCD(n, 6), LCM(n, 4) FROM t WHERE n IS NOT NULL AND n <> 0;
SELECT GREATEST(1, 2.5, 3), LEAST(1, 2.5, -3), GREATEST(n, 0), LEAST(d, 1.0) FROM t;
SELECT GREATEST(NULL, 1), LEAST(NULL, NULL, 2), GREATEST(DATE '2022-01-01', TIMESTAMP '2021-01-01 10:00:00');
SELECT COALESCE(n, big, 0), IFNULL(d, -1), NULLIF(n, 0), NULLIF(grp, 'a') FROM t;
SELECT id, IF(n > 0, 'pos', 'not pos'), IF(flag, n, -n) FROM t;
SELECT 7 / 2, -7 / 2, 1 / 3, 10 / 4.0, 2 * 3.5, 1e3 + 1;
SELECT id, n / 2, d * 2, amount * 2, amount + 1, amount - n, amount * amount FROM t WHERE id < 12;
SELECT SUM(POWER(d, 2)), AVG(SQRT(ABS(d))), MAX(ROUND(d, 1)), MIN(FLOOR(amount)) FROM t;
SELECT platform, ROUND(AVG(hashtag_count), 3), SUM(ABS(hashtag_count)) FROM events GROUP BY platform;
SELECT currency, ROUND(SUM(amount_due), 2), ROUND(AVG(amount_due), 4), MAX(CEIL(total)) FROM payments GROUP BY currency;
SELECT ROUND(AVG(n), 2), ROUND(STDDEV(d), 6), ROUND(SUM(amount) / COUNT(*), 3) FROM t;
SELECT id, ABS(n) % 3, (n + 10) // 4, POWER(ABS(n), 0.5) FROM t WHERE n IS NOT NULL;
