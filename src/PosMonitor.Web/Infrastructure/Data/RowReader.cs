using System.Data.Common;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace PosMonitor.Web.Infrastructure.Data;

/// <summary>
/// A query's rows read field by field, by position, for reads of millions of wide rows (a start-up's rollups). On
/// SQLite it steps the statement through SQLitePCLRaw as <see cref="RowCommand"/> does: <c>SqliteDataReader</c> checks
/// each field's type before it reads it, which for a rollup row's 50 fields cost ~5 µs a row, tens of seconds for
/// detection's lookback at 200,000 terminals. On SQL Server it is an ordinary <see cref="DbDataReader"/>.
/// </summary>
public abstract class RowReader : IDisposable
{
    /// <param name="parameters">Named integer parameters (without '@').</param>
    public static RowReader Open(DbConnection connection, string sql, IReadOnlyList<(string Name, long Value)> parameters) =>
        connection is SqliteConnection sqlite ? new SqliteRowReader(sqlite, sql, parameters) : new AdoRowReader(connection, sql, parameters);

    /// <summary>Moves to the next row; false after the last.</summary>
    public abstract bool Read();

    public abstract bool IsNull(int field);
    /// <summary>The field's integer; 0 for NULL on SQLite (check <see cref="IsNull"/> where a column may be NULL).</summary>
    public abstract long GetInt64(int field);
    public abstract int GetInt32(int field);
    public abstract double GetDouble(int field);
    public abstract string GetString(int field);

    public abstract void Dispose();

    private sealed class SqliteRowReader : RowReader
    {
        private readonly sqlite3 _db;
        private readonly sqlite3_stmt _statement;

        public SqliteRowReader(SqliteConnection connection, string sql, IReadOnlyList<(string Name, long Value)> parameters)
        {
            _db = connection.Handle ?? throw new InvalidOperationException("The SQLite connection is not open.");
            Check(raw.sqlite3_prepare_v2(_db, sql, out _statement, out var tail));
            if (!string.IsNullOrWhiteSpace(tail)) throw new ArgumentException("One statement per row reader.", nameof(sql));
            foreach (var (name, value) in parameters)
            {
                var slot = raw.sqlite3_bind_parameter_index(_statement, "@" + name);
                if (slot == 0) throw new ArgumentException($"The statement has no parameter @{name}.", nameof(parameters));
                Check(raw.sqlite3_bind_int64(_statement, slot, value));
            }
        }

        public override bool Read()
        {
            var rc = raw.sqlite3_step(_statement);
            if (rc is not (raw.SQLITE_ROW or raw.SQLITE_DONE)) throw new SqliteException(raw.sqlite3_errmsg(_db).utf8_to_string(), rc);
            return rc == raw.SQLITE_ROW;
        }

        public override bool IsNull(int field) => raw.sqlite3_column_type(_statement, field) == raw.SQLITE_NULL;
        public override long GetInt64(int field) => raw.sqlite3_column_int64(_statement, field);
        public override int GetInt32(int field) => checked((int)raw.sqlite3_column_int64(_statement, field));
        public override double GetDouble(int field) => raw.sqlite3_column_double(_statement, field);
        public override string GetString(int field) => raw.sqlite3_column_text(_statement, field).utf8_to_string();
        public override void Dispose() => _statement.Dispose();

        private void Check(int rc)
        {
            if (rc != raw.SQLITE_OK) throw new SqliteException(raw.sqlite3_errmsg(_db).utf8_to_string(), rc);
        }
    }

    private sealed class AdoRowReader : RowReader
    {
        private readonly DbCommand _command;
        private readonly DbDataReader _reader;

        public AdoRowReader(DbConnection connection, string sql, IReadOnlyList<(string Name, long Value)> parameters)
        {
            _command = connection.CreateCommand();
            _command.CommandText = sql;
            foreach (var (name, value) in parameters)
            {
                var p = _command.CreateParameter();
                p.ParameterName = "@" + name;
                p.Value = value;
                _command.Parameters.Add(p);
            }
            _reader = _command.ExecuteReader();
        }

        public override bool Read() => _reader.Read();
        public override bool IsNull(int field) => _reader.IsDBNull(field);
        public override long GetInt64(int field) => _reader.GetInt64(field);
        public override int GetInt32(int field) => _reader.GetInt32(field);
        public override double GetDouble(int field) => _reader.GetDouble(field);
        public override string GetString(int field) => _reader.GetString(field);

        public override void Dispose()
        {
            _reader.Dispose();
            _command.Dispose();
        }
    }
}
