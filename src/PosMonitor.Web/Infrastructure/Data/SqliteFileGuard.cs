using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Microsoft.Data.Sqlite;

namespace PosMonitor.Web.Infrastructure.Data;

/// <summary>The database file is gone, replaced, or cannot be written: nothing of the write was stored.</summary>
public sealed class DatabaseUnavailableException(string reason) : Exception(reason);

/// <summary>
/// Watches the SQLite file this process uses. A file deleted or replaced under a running process
/// takes every later commit silently (the process writes into the unlinked file, which vanishes
/// when it exits), so before each connection is handed out it asks SQLite whether the path still
/// names the file it opened (SQLITE_FCNTL_HAS_MOVED on a connection held open from start-up). When
/// it does not, the store is unavailable (reads and writes), its contents, still readable through
/// that connection, are saved beside the path, and it resumes by itself once the same file or that
/// copy is back at the path. A write failing with an I/O-class error (read-only, disk full, I/O
/// error) marks the store unhealthy until a write succeeds again. <see cref="Problem"/> is what
/// /readyz reports.
/// </summary>
/// <remarks>
/// Nothing here opens the database files other than through SQLite while SQLite has them open:
/// POSIX locks belong to the process, and closing any other handle on a file drops them all, after
/// which another opener may truncate the shared-memory index the connections have mapped (SIGBUS).
/// The one read with a plain file handle is of a file no connection has open (see <see cref="IsRescuedCopy"/>).
/// </remarks>
public sealed class SqliteFileGuard(string path, string connectionString, SemaphoreSlim writer, ILogger logger)
{
    private const int FcntlHasMoved = 20;
    // Primary result codes that blame the file, not the statement.
    private static readonly int[] FileErrors = [8 /* READONLY */, 10 /* IOERR */, 11 /* CORRUPT */, 13 /* FULL */, 14 /* CANTOPEN */, 26 /* NOTADB */];

    private readonly Lock _gate = new();
    private readonly string _unpooled = new SqliteConnectionStringBuilder(connectionString) { Pooling = false }.ToString();
    private SqliteConnection? _sentinel;
    private volatile string? _problem;
    private volatile bool _lost;
    private volatile bool _rescuing;
    private int? _rescueToken;
    private string? _rescuePath;
    private long _lastRecoveryTry;

    public string Path { get; } = path;

    /// <summary>Why the store cannot be used right now (safe to show anonymously: no paths), or null when it is healthy.</summary>
    public string? Problem => _problem;

    /// <summary>True while the file itself is gone or replaced (nothing is opened until it is back).</summary>
    public bool IsLost => _lost;

    /// <summary>Starts watching: the file as it is now is the one this process uses. Call once the database is migrated.</summary>
    public void Watch()
    {
        lock (_gate)
        {
            _sentinel?.Dispose();
            _sentinel = OpenSentinel();
        }
    }

    /// <summary>Before a connection is opened: throws when the file is gone or replaced.</summary>
    public void ThrowIfLost()
    {
        if (_sentinel is null) return;
        if (_lost)
        {
            TryRecover(force: false);
            if (_lost) throw new DatabaseUnavailableException(_problem!);
            return;
        }
        if (HasMoved())
        {
            Lose();
            throw new DatabaseUnavailableException(_problem!);
        }
    }

    /// <summary>A write failed: when SQLite blames the file, the store is unhealthy until a write succeeds.</summary>
    public void Failed(SqliteException e)
    {
        if (!FileErrors.Contains(e.SqliteErrorCode & 0xFF) || _lost) return;
        if (_sentinel is not null && HasMoved())
        {
            Lose();
            return;
        }
        if (_problem is null)
            logger.LogError(e, "Writing the database {Path} failed (SQLite error {Code}); writes answer 503 and /readyz reports not ready until one succeeds",
                Path, e.SqliteErrorCode);
        _problem = $"The database cannot be written (SQLite error {e.SqliteErrorCode}: {e.Message.Replace(Path, "the database file", StringComparison.Ordinal)}).";
    }

    public void Succeeded()
    {
        if (_problem is null || _lost) return;
        _problem = null;
        logger.LogWarning("Writing the database {Path} works again", Path);
    }

    /// <summary>
    /// For /readyz and the once-a-second housekeeping: notices a lost file without waiting for a
    /// write, and recovers when it can. <paramref name="probeWrite"/> writes something small through
    /// the normal write path, so a store marked unwritable finds out that it can write again.
    /// </summary>
    public async Task CheckAsync(Func<Task> probeWrite)
    {
        if (_sentinel is null) return;
        if (_lost)
        {
            TryRecover(force: true);
            return;
        }
        if (HasMoved())
        {
            Lose();
            return;
        }
        if (_problem is null) return;
        try
        {
            await probeWrite();
        }
        catch (Exception e) when (e is SqliteException or DatabaseUnavailableException)
        {
            // Still failing: Failed has kept the reason.
        }
    }

    /// <summary>The connection kept open on the file; after a read it holds the write-ahead log and its index open too.</summary>
    private SqliteConnection OpenSentinel()
    {
        var connection = new SqliteConnection(_unpooled);
        connection.Open();
        using var read = connection.CreateCommand();
        // WAL again: a saved copy comes back in rollback mode, and readers need WAL beside the writer.
        read.CommandText = "PRAGMA journal_mode = WAL; SELECT COUNT(*) FROM sqlite_master;";
        read.ExecuteScalar();
        return connection;
    }

    private bool HasMoved()
    {
        lock (_gate)
        {
            if (_sentinel?.Handle is not { } handle) return false;
            var moved = 0;
            var rc = Native.sqlite3_file_control(handle.DangerousGetHandle(), "main", FcntlHasMoved, ref moved);
            // A VFS without the check (SQLITE_NOTFOUND) can still tell a missing file.
            return rc == 0 ? moved != 0 : !File.Exists(Path);
        }
    }

    private void Lose()
    {
        lock (_gate)
        {
            if (_lost) return;
            _rescuing = true;
            _lost = true;
            _problem = "The database file was deleted or replaced while the portal was running; the store is unavailable until it is back.";
        }
        // Idle connections on the old file go now, busy ones when they are returned; new ones are refused while lost.
        ClearPool();
        logger.LogCritical("The database file {Path} was deleted or replaced while the portal was running. Reads and writes are refused (503) and /readyz " +
            "reports not ready; the contents this process still holds open are being saved beside it", Path);
        _ = Task.Run(RescueAsync);
    }

    /// <summary>
    /// Saves what the lost file holds (every acknowledged write: none runs while this holds the
    /// writer lock) to a new file beside the path, in rollback mode and marked with a random
    /// application id so it is recognised when moved back. Written under a temporary name and
    /// renamed when complete, so a half-written copy is never taken for it.
    /// </summary>
    private async Task RescueAsync()
    {
        await writer.WaitAsync();
        try
        {
            var rescue = $"{Path}.rescued-{DateTime.UtcNow.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture)}";
            var partial = rescue + ".partial";
            var token = RandomNumberGenerator.GetInt32(1, int.MaxValue);
            // Not under _gate: nothing else uses the connection while the file is lost and this runs.
            using (var copy = _sentinel!.CreateCommand())
            {
                copy.CommandText = "VACUUM INTO @target;";
                copy.Parameters.AddWithValue("@target", partial);
                copy.ExecuteNonQuery();
            }
            await using (var marked = new SqliteConnection(new SqliteConnectionStringBuilder(_unpooled) { DataSource = partial }.ToString()))
            {
                await marked.OpenAsync();
                await using var mark = marked.CreateCommand();
                mark.CommandText = $"PRAGMA journal_mode = DELETE; PRAGMA application_id = {token};";
                await mark.ExecuteNonQueryAsync();
            }
            File.Move(partial, rescue);
            lock (_gate)
            {
                _rescueToken = token;
                _rescuePath = rescue;
                _problem = "The database file was deleted or replaced while the portal was running; its contents are saved beside it. " +
                    "The store is unavailable until that copy (or the original file) is moved back.";
            }
            logger.LogCritical("Saved the contents of the lost database to {Rescue}. Move it to {Path} to resume: the portal picks it up by itself", rescue, Path);
        }
        catch (Exception e)
        {
            logger.LogCritical(e, "Could not save the contents of the lost database {Path}; the store stays unavailable until the original file is back", Path);
        }
        finally
        {
            _rescuing = false;
            writer.Release();
        }
    }

    /// <summary>Resumes when the path names the file this process opened again, or the copy it saved.</summary>
    private void TryRecover(bool force)
    {
        var now = Environment.TickCount64;
        if (_rescuing || (!force && now - Interlocked.Read(ref _lastRecoveryTry) < 1000)) return;
        Interlocked.Exchange(ref _lastRecoveryTry, now);
        lock (_gate)
        {
            if (!_lost || !File.Exists(Path)) return;
            if (HasMoved())
            {
                if (_rescueToken is not { } token || !IsRescuedCopy(token))
                {
                    _problem = "The file now at the database's path is not the database this portal was using; restart the portal to use it, or move the saved copy there.";
                    return;
                }
                // The log and index beside the path belong to the lost file: the copy holds their contents,
                // and opened with it they would be replayed into it. The old file's last connection goes first.
                _sentinel!.Dispose();
                ClearPool();
                foreach (var leftover in new[] { Path + "-wal", Path + "-shm" }) File.Delete(leftover);
                try
                {
                    _sentinel = OpenSentinel();
                }
                catch (SqliteException e)
                {
                    _sentinel = null;
                    _problem = "The saved copy moved back cannot be opened; restart the portal.";
                    logger.LogCritical(e, "The saved copy moved back to {Path} cannot be opened", Path);
                    return;
                }
            }
            ClearPool();
            _lost = false;
            _problem = null;
        }
        logger.LogWarning("The database file {Path} is back{Copy}; the store is available again", Path, _rescuePath is null ? "" : $" (the copy saved as {_rescuePath})");
    }

    /// <summary>
    /// Whether the file at the path is the copy saved with <paramref name="token"/>, read from its
    /// header (application id, bytes 68–71) with a plain handle: no connection of this process has
    /// that file open while the store is lost, so no SQLite lock is disturbed.
    /// </summary>
    private bool IsRescuedCopy(int token)
    {
        try
        {
            Span<byte> header = stackalloc byte[100];
            using var file = new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            file.ReadExactly(header);
            return header[..16].SequenceEqual("SQLite format 3\0"u8) && BinaryPrimitives.ReadInt32BigEndian(header[68..]) == token;
        }
        catch (IOException)
        {
            return false;
        }
    }

    private void ClearPool()
    {
        using var pooled = new SqliteConnection(connectionString);
        SqliteConnection.ClearPool(pooled);
    }

    private static class Native
    {
        // SQLitePCLRaw has no binding for sqlite3_file_control; this is the same e_sqlite3 library it loads.
        [DllImport("e_sqlite3", CallingConvention = CallingConvention.Cdecl)]
        public static extern int sqlite3_file_control(IntPtr db, string name, int op, ref int arg);
    }
}
