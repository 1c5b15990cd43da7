import java.sql.*;
import java.util.*;

/**
 * Drives pgjdbc against the gateway the way applications do, one named check at a time.
 * Prints "ok <check>" or "FAIL <check>: <reason>" per check; exits 1 if any failed.
 * Usage: JdbcClientCheck <port> <user> <password>
 */
public final class JdbcClientCheck {
  interface Check { void run(Connection c) throws Exception; }

  private static int failures = 0;

  public static void main(String[] args) throws Exception {
    String url = "jdbc:postgresql://127.0.0.1:" + args[0] + "/c2d?sslmode=require&ApplicationName=jdbc-check";
    Properties props = new Properties();
    props.setProperty("user", args[1]);
    props.setProperty("password", args[2]);
    try (Connection c = DriverManager.getConnection(url, props)) {
      check(c, "tls-and-version", JdbcClientCheck::version);
      check(c, "metadata-catalogs-schemas", JdbcClientCheck::catalogsAndSchemas);
      check(c, "metadata-tables", JdbcClientCheck::tables);
      check(c, "metadata-columns", JdbcClientCheck::columns);
      check(c, "metadata-primary-keys", JdbcClientCheck::primaryKeys);
      check(c, "metadata-type-info", JdbcClientCheck::typeInfo);
      check(c, "prepared-statement-ten-times", JdbcClientCheck::preparedTenTimes);
      check(c, "fetch-size-portal", JdbcClientCheck::fetchSize);
      check(c, "result-set-metadata", JdbcClientCheck::resultSetMetaData);
      check(c, "query-timeout", JdbcClientCheck::queryTimeout);
      check(c, "cancel", JdbcClientCheck::cancel);
    }
    System.out.println(failures == 0 ? "all checks passed" : failures + " checks failed");
    System.exit(failures == 0 ? 0 : 1);
  }

  private static void check(Connection c, String name, Check check) {
    try {
      check.run(c);
      System.out.println("ok " + name);
    } catch (Throwable t) {
      failures++;
      System.out.println("FAIL " + name + ": " + t);
      try { if (!c.getAutoCommit()) c.rollback(); } catch (SQLException ignored) { }
    }
  }

  private static void expect(boolean condition, String what) {
    if (!condition) throw new AssertionError(what);
  }

  private static void version(Connection c) throws SQLException {
    DatabaseMetaData md = c.getMetaData();
    expect(md.getDatabaseProductName().equals("PostgreSQL"), "product name " + md.getDatabaseProductName());
    expect(md.getDatabaseMajorVersion() >= 12, "major version " + md.getDatabaseMajorVersion());
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("select version()")) {
      expect(rs.next() && rs.getString(1).startsWith("PostgreSQL"), "version()");
    }
  }

  private static void catalogsAndSchemas(Connection c) throws SQLException {
    DatabaseMetaData md = c.getMetaData();
    Set<String> catalogs = new HashSet<>();
    try (ResultSet rs = md.getCatalogs()) { while (rs.next()) catalogs.add(rs.getString("TABLE_CAT")); }
    expect(catalogs.contains("c2d"), "catalogs " + catalogs);
    Set<String> schemas = new HashSet<>();
    try (ResultSet rs = md.getSchemas()) { while (rs.next()) schemas.add(rs.getString("TABLE_SCHEM")); }
    expect(schemas.contains("public") && schemas.contains("pg_catalog"), "schemas " + schemas);
  }

  private static void tables(Connection c) throws SQLException {
    // The demo's federated tables are partitioned tables over foreign partitions, typed as pgjdbc types them.
    Map<String, String> types = new TreeMap<>();
    try (ResultSet rs = c.getMetaData().getTables(null, "public", "%", new String[] {"TABLE", "PARTITIONED TABLE", "FOREIGN TABLE"})) {
      while (rs.next()) types.put(rs.getString("TABLE_NAME"), rs.getString("TABLE_TYPE"));
    }
    for (String t : List.of("patients", "diagnoses", "medications", "trauma_cases")) {
      expect("PARTITIONED TABLE".equals(types.get(t)), "table " + t + " in " + types);
      expect("FOREIGN TABLE".equals(types.get(t + "_bmc")), "partition " + t + "_bmc in " + types);
    }
  }

  private static void columns(Connection c) throws SQLException {
    Map<String, String> types = new LinkedHashMap<>();
    try (ResultSet rs = c.getMetaData().getColumns(null, "public", "trauma_cases", "%")) {
      while (rs.next()) types.put(rs.getString("COLUMN_NAME"), rs.getString("TYPE_NAME") + "/" + rs.getInt("DATA_TYPE"));
    }
    expect(types.get("case_id").equals("int8/" + Types.BIGINT), "case_id " + types);
    expect(types.get("arrived_at").equals("timestamptz/" + Types.TIMESTAMP_WITH_TIMEZONE)
        || types.get("arrived_at").equals("timestamptz/" + Types.TIMESTAMP), "arrived_at " + types);
    expect(types.get("severity").equals("int4/" + Types.INTEGER), "severity " + types);
  }

  private static void primaryKeys(Connection c) throws SQLException {
    List<String> keys = new ArrayList<>();
    try (ResultSet rs = c.getMetaData().getPrimaryKeys(null, "public", "patients")) {
      while (rs.next()) keys.add(rs.getString("COLUMN_NAME"));
    }
    // The demo's union tables carry no keys; the call must still answer with the right shape.
    expect(keys.isEmpty() || keys.equals(List.of("patient_id")), "keys " + keys);
  }

  private static void typeInfo(Connection c) throws SQLException {
    Set<String> names = new HashSet<>();
    try (ResultSet rs = c.getMetaData().getTypeInfo()) { while (rs.next()) names.add(rs.getString("TYPE_NAME")); }
    expect(names.containsAll(List.of("int4", "int8", "text", "timestamptz", "numeric", "bool")), "types " + names.size());
  }

  private static void preparedTenTimes(Connection c) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("select count(*) from patients where party = ? and patient_id > ?")) {
      long first = -1;
      for (int i = 0; i < 10; i++) {
        ps.setString(1, "mgh");
        ps.setLong(2, 0L);
        try (ResultSet rs = ps.executeQuery()) {
          expect(rs.next(), "row " + i);
          long n = rs.getLong(1);
          if (i == 0) first = n; else expect(n == first, "same answer at " + i);
        }
      }
      expect(first > 0, "count " + first);
    }
  }

  private static void fetchSize(Connection c) throws SQLException {
    c.setAutoCommit(false);
    try (Statement s = c.createStatement()) {
      s.setFetchSize(100);
      long rows = 0, sum = 0;
      try (ResultSet rs = s.executeQuery("select i from range(100000) t(i)")) {
        while (rs.next()) { rows++; sum += rs.getLong(1); }
      }
      expect(rows == 100000, "rows " + rows);
      expect(sum == 4999950000L, "sum " + sum);
    } finally {
      c.commit();
      c.setAutoCommit(true);
    }
  }

  private static void resultSetMetaData(Connection c) throws SQLException {
    String sql = "select true as b, 1::int2 as s, 2::int4 as i, 3::int8 as l, 1.5::float4 as f, 2.5::float8 as d, "
        + "1.25::numeric(10,2) as n, 'x'::text as t, 'y'::varchar(5) as v, '\\x01'::bytea as by, date '2024-01-02' as dt, "
        + "time '01:02:03' as tm, timestamp '2024-01-02 03:04:05' as ts, timestamptz '2024-01-02 03:04:05+00' as tz, "
        + "interval '1 day' as iv, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid as u";
    try (PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
      ResultSetMetaData md = rs.getMetaData();
      String[] expected = {"bool", "int2", "int4", "int8", "float4", "float8", "numeric", "text", "varchar", "bytea",
          "date", "time", "timestamp", "timestamptz", "interval", "uuid"};
      for (int i = 0; i < expected.length; i++) {
        expect(md.getColumnTypeName(i + 1).equals(expected[i]), "column " + (i + 1) + " is " + md.getColumnTypeName(i + 1));
      }
      expect(rs.next(), "a row");
      expect(rs.getBoolean(1) && rs.getShort(2) == 1 && rs.getInt(3) == 2 && rs.getLong(4) == 3L, "integers");
      expect(rs.getBigDecimal(7).toPlainString().equals("1.25"), "numeric " + rs.getBigDecimal(7));
      expect(rs.getString(9).equals("y") && rs.getBytes(10)[0] == 1, "varchar/bytea");
      expect(rs.getDate(11).toString().equals("2024-01-02"), "date " + rs.getDate(11));
      expect(rs.getObject(16).toString().equals("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"), "uuid");
    }
  }

  private static void queryTimeout(Connection c) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.setQueryTimeout(1);
      long started = System.nanoTime();
      try {
        s.executeQuery("select count(*) from range(10000000000) a, range(10) b");
        throw new AssertionError("query was not stopped");
      } catch (SQLException e) {
        expect("57014".equals(e.getSQLState()), "state " + e.getSQLState());
      }
      expect((System.nanoTime() - started) / 1_000_000 < 5000, "stopped in time");
    }
  }

  private static void cancel(Connection c) throws Exception {
    try (Statement s = c.createStatement()) {
      Thread canceller = new Thread(() -> {
        try { Thread.sleep(300); s.cancel(); } catch (Exception ignored) { }
      });
      canceller.start();
      try {
        s.executeQuery("select count(*) from range(10000000000) a, range(10) b");
        throw new AssertionError("query was not cancelled");
      } catch (SQLException e) {
        expect("57014".equals(e.getSQLState()), "state " + e.getSQLState());
      }
      canceller.join();
    }
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("select 1")) {
      expect(rs.next() && rs.getInt(1) == 1, "usable after cancel");
    }
  }
}
