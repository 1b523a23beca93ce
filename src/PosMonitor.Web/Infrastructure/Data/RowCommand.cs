using System.Data.Common;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace PosMonitor.Web.Infrastructure.Data;

/// <summary>
/// One statement prepared for a transaction and executed once per row, with parameters set by
/// position. The ingestion writer runs tens of thousands of these a second on one thread. On
/// SQLite it drives the prepared statement through SQLitePCLRaw (the library under
/// Microsoft.Data.Sqlite), because <c>SqliteCommand</c> looks every parameter up by name on
/// each execution (a string marshalled per parameter per row), which cost more than the insert.
/// On SQL Server it is an ordinary prepared <see cref="DbCommand"/>.
/// </summary>
public abstract class RowCommand : IDisposable
{
    /// <param name="parameters">Parameter names without '@', in the order of <c>Set</c>'s index.</param>
    public static RowCommand Prepare(DbConnection connection, DbTransaction tx, string sql, IReadOnlyList<string> parameters) =>
        connection is SqliteConnection sqlite
            ? new SqliteRowCommand(sqlite, sql, parameters)
            : new AdoRowCommand(connection, tx, sql, parameters);

    public abstract void Set(int index, long value);
    public abstract void Set(int index, double value);
    public abstract void Set(int index, string? value);
    public abstract void SetNull(int index);

    public void Set(int index, long? value)
    {
        if (value is { } v) Set(index, v);
        else SetNull(index);
    }

    public void Set(int index, double? value)
    {
        if (value is { } v) Set(index, v);
        else SetNull(index);
    }

    /// <summary>Runs the statement with the values set; returns the rows it changed.</summary>
    public abstract int Execute();

    /// <summary>Runs a query with the values set; true when it returns a row.</summary>
    public abstract bool Exists();

    public abstract void Dispose();

    private sealed class SqliteRowCommand : RowCommand
    {
        private readonly sqlite3 _db;
        private readonly sqlite3_stmt _statement;
        private readonly int[] _slots;

        public SqliteRowCommand(SqliteConnection connection, string sql, IReadOnlyList<string> parameters)
        {
            _db = connection.Handle ?? throw new InvalidOperationException("The SQLite connection is not open.");
            Check(raw.sqlite3_prepare_v2(_db, sql, out _statement, out var tail));
            if (!string.IsNullOrWhiteSpace(tail)) throw new ArgumentException("One statement per row command.", nameof(sql));
            _slots = new int[parameters.Count];
            for (var i = 0; i < parameters.Count; i++)
            {
                _slots[i] = raw.sqlite3_bind_parameter_index(_statement, "@" + parameters[i]);
                if (_slots[i] == 0) throw new ArgumentException($"The statement has no parameter @{parameters[i]}.", nameof(parameters));
            }
        }

        public override void Set(int index, long value) => Check(raw.sqlite3_bind_int64(_statement, _slots[index], value));
        public override void Set(int index, double value) => Check(raw.sqlite3_bind_double(_statement, _slots[index], value));

        public override void Set(int index, string? value) =>
            // UTF-16 as it is: SQLite converts it natively, without a managed UTF-8 copy per value.
            Check(value is null ? raw.sqlite3_bind_null(_statement, _slots[index]) : raw.sqlite3_bind_text16(_statement, _slots[index], value.AsSpan()));

        public override void SetNull(int index) => Check(raw.sqlite3_bind_null(_statement, _slots[index]));

        public override int Execute()
        {
            var rc = raw.sqlite3_step(_statement);
            // Reset before throwing so the statement is reusable and the error reported is the step's.
            var changes = rc == raw.SQLITE_DONE ? raw.sqlite3_changes(_db) : 0;
            raw.sqlite3_reset(_statement);
            if (rc != raw.SQLITE_DONE) throw new SqliteException(raw.sqlite3_errmsg(_db).utf8_to_string(), rc);
            return changes;
        }

        public override bool Exists()
        {
            var rc = raw.sqlite3_step(_statement);
            raw.sqlite3_reset(_statement);
            if (rc is not (raw.SQLITE_ROW or raw.SQLITE_DONE)) throw new SqliteException(raw.sqlite3_errmsg(_db).utf8_to_string(), rc);
            return rc == raw.SQLITE_ROW;
        }

        public override void Dispose() => _statement.Dispose();

        private void Check(int rc)
        {
            if (rc != raw.SQLITE_OK) throw new SqliteException(raw.sqlite3_errmsg(_db).utf8_to_string(), rc);
        }
    }

    private sealed class AdoRowCommand : RowCommand
    {
        private readonly DbCommand _command;

        public AdoRowCommand(DbConnection connection, DbTransaction tx, string sql, IReadOnlyList<string> parameters)
        {
            _command = connection.CreateCommand();
            _command.Transaction = tx;
            _command.CommandText = sql;
            foreach (var name in parameters)
            {
                var p = _command.CreateParameter();
                p.ParameterName = "@" + name;
                _command.Parameters.Add(p);
            }
        }

        public override void Set(int index, long value) => _command.Parameters[index].Value = value;
        public override void Set(int index, double value) => _command.Parameters[index].Value = value;
        public override void Set(int index, string? value) => _command.Parameters[index].Value = (object?)value ?? DBNull.Value;
        public override void SetNull(int index) => _command.Parameters[index].Value = DBNull.Value;
        public override int Execute() => _command.ExecuteNonQuery();
        public override bool Exists() => _command.ExecuteScalar() is not (null or DBNull);
        public override void Dispose() => _command.Dispose();
    }
}
