using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Data.Sqlite;

namespace OpenEvent.Rules.Host.Actions;

/// <summary>
/// An action to store: what to deliver (its payload), where (kind + destination), and its idempotency key. A forward
/// carries the event's UTF-8 bytes in <paramref name="Event"/>, stored beside the payload as they are (never turned
/// into a string and parsed again).
/// </summary>
internal sealed record NewAction(string Key, string EventId, string EventType, string? Policy, string Kind, string Destination, ActionPayload Payload, byte[]? Event = null);

/// <summary>An action a worker delivered, at <paramref name="At"/> after <paramref name="Attempts"/> attempts, to be recorded.</summary>
internal readonly record struct DeliveredAction(long Id, int Attempts, DateTimeOffset At);

/// <summary>
/// A stored action: pending, delivered, or (in the dead-letter table) dead. <see cref="Payload"/> is its JSON as stored
/// (<see cref="ActionPayloads.Read"/>).
/// </summary>
public sealed record OutboxItem(
    long Id,
    string Key,
    string EventId,
    string EventType,
    string? Policy,
    string Kind,
    string Destination,
    string Payload,
    string Status,
    int Attempts,
    DateTimeOffset CreatedAt,
    DateTimeOffset NextAttemptAt,
    DateTimeOffset? DeliveredAt,
    string? LastError)
{
    /// <summary>The bytes of the event a forward delivers (null for other kinds, for rows stored before they were kept apart, and in listings).</summary>
    internal byte[]? Event { get; init; }
}

/// <summary>
/// The durable outbox: an embedded SQLite file (WAL journal) with two tables. <c>outbox</c> holds pending and
/// delivered actions, unique by idempotency key (event id + policy + action), so that an event delivered again
/// by EventBridge enqueues nothing new; <c>dead_letter</c> holds the actions that kept failing, with their last
/// error, until an operator retries or purges them. Workers claim due rows with a lease (owner + expiry): a claim
/// left by a process that died is taken again once it expires. Every call opens a pooled connection, so the store
/// is safe to use from many threads and from another process (the CLI) at the same time.
/// </summary>
public sealed class OutboxStore
{
    public const string Pending = "pending";
    public const string Delivered = "delivered";
    public const string Dead = "dead";

    private const string Columns = "id, idempotency_key, event_id, event_type, policy, kind, destination, payload, status, attempts, created_at, next_attempt_at, delivered_at, last_error";

    /// <summary>
    /// The column added for the event bytes of forwards (files created before it are migrated by <see cref="Initialize"/>;
    /// their rows keep the event in the payload and are delivered from there).
    /// </summary>
    private const string EventColumn = "event";

    /// <summary>
    /// One lock per file for the writers of this process (request stores, workers' claims and updates): they take turns
    /// here instead of colliding in SQLite, whose busy handler would make the loser sleep and retry. Other processes
    /// (the CLI) still meet the busy timeout.
    /// </summary>
    private static readonly ConcurrentDictionary<string, Lock> s_writeLocks = new(StringComparer.Ordinal);

    private readonly string _connectionString;
    private readonly string _synchronous;
    private readonly Lock _writeLock;

    /// <param name="synchronous">Full or Normal (see OutboxOptions.Synchronous).</param>
    /// <param name="busyTimeout">How long a statement waits for another connection's lock (default 30 s).</param>
    public OutboxStore(string path, string synchronous = "Full", TimeSpan? busyTimeout = null)
    {
        Path = System.IO.Path.GetFullPath(path);
        _writeLock = s_writeLocks.GetOrAdd(Path, _ => new Lock());
        _synchronous = string.Equals(synchronous, "Normal", StringComparison.OrdinalIgnoreCase) ? "NORMAL" : "FULL";
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = (int)Math.Max(1, Math.Ceiling((busyTimeout ?? TimeSpan.FromSeconds(30)).TotalSeconds)),
        }.ToString();
    }

    public string Path { get; }

    /// <summary>Creates the file, its folder and the tables when missing. Idempotent.</summary>
    public void Initialize()
    {
        if (System.IO.Path.GetDirectoryName(Path) is { Length: > 0 } folder)
        {
            Directory.CreateDirectory(folder);
        }

        using var connection = Open();
        // WAL lets workers read while a request commits, and the journal mode is stored in the file itself.
        Execute(connection, "PRAGMA journal_mode=WAL;");
        Execute(connection, """
            CREATE TABLE IF NOT EXISTS outbox (
              id INTEGER PRIMARY KEY AUTOINCREMENT,
              idempotency_key TEXT NOT NULL UNIQUE,
              event_id TEXT NOT NULL,
              event_type TEXT NOT NULL,
              policy TEXT,
              kind TEXT NOT NULL,
              destination TEXT NOT NULL,
              payload TEXT NOT NULL,
              status TEXT NOT NULL,
              attempts INTEGER NOT NULL DEFAULT 0,
              created_at INTEGER NOT NULL,
              next_attempt_at INTEGER NOT NULL,
              lease_until INTEGER,
              lease_owner TEXT,
              delivered_at INTEGER,
              last_error TEXT,
              event BLOB);
            CREATE INDEX IF NOT EXISTS outbox_due ON outbox (status, next_attempt_at);
            CREATE INDEX IF NOT EXISTS outbox_due_answers ON outbox (next_attempt_at) WHERE kind = 'answer' AND status = 'pending';
            CREATE TABLE IF NOT EXISTS dead_letter (
              id INTEGER PRIMARY KEY,
              idempotency_key TEXT NOT NULL UNIQUE,
              event_id TEXT NOT NULL,
              event_type TEXT NOT NULL,
              policy TEXT,
              kind TEXT NOT NULL,
              destination TEXT NOT NULL,
              payload TEXT NOT NULL,
              status TEXT NOT NULL,
              attempts INTEGER NOT NULL,
              created_at INTEGER NOT NULL,
              next_attempt_at INTEGER NOT NULL,
              delivered_at INTEGER,
              last_error TEXT NOT NULL,
              dead_at INTEGER NOT NULL,
              event BLOB);
            """);
        AddEventColumn(connection, "outbox");
        AddEventColumn(connection, "dead_letter");
    }

    /// <summary>
    /// Migrates a file created before the event column: adds it (NULL in existing rows, whose forwards keep the event in
    /// their payload). SQLite adds a column without rewriting the table. Two processes may migrate at once: the loser's
    /// "duplicate column" is the winner's work.
    /// </summary>
    private static void AddEventColumn(SqliteConnection connection, string table)
    {
        using var columns = connection.CreateCommand();
        columns.CommandText = $"SELECT COUNT(*) FROM pragma_table_info('{table}') WHERE name = '{EventColumn}';";
        if (Convert.ToInt64(columns.ExecuteScalar(), CultureInfo.InvariantCulture) > 0)
        {
            return;
        }

        try
        {
            Execute(connection, $"ALTER TABLE {table} ADD COLUMN {EventColumn} BLOB;");
        }
        catch (SqliteException ex) when (ex.Message.Contains("duplicate column", StringComparison.OrdinalIgnoreCase))
        {
        }
    }

    /// <summary>
    /// Stores the actions of one event in one transaction; keys already known (pending, delivered or dead) are
    /// skipped. For each new key <paramref name="admit"/> may replace the action or refuse it (null), e.g. a
    /// suppressed notification: it is asked only for keys never seen, so a redelivered event counts nothing twice.
    /// Returns how many actions were stored. When this returns, they are on disk.
    /// </summary>
    internal int Enqueue(IReadOnlyList<NewAction> actions, DateTimeOffset now, Func<NewAction, NewAction?>? admit = null) =>
        actions.Count == 0 ? 0 : EnqueueAll([actions], now, admit)[0];

    /// <summary>
    /// Stores the actions of several events in one transaction, each event's as <see cref="Enqueue"/> would (a key seen
    /// earlier in the same call is skipped too): one commit, so one flush of the log under synchronous=FULL, for all of
    /// them. All are stored or, when it throws, none. Returns how many actions of each event were stored.
    /// </summary>
    internal int[] EnqueueAll(IReadOnlyList<IReadOnlyList<NewAction>> events, DateTimeOffset now, Func<NewAction, NewAction?>? admit = null)
    {
        // The writer thread's transaction, on a connection of this call's own.
        using var once = new RequestWriter(this);
        return once.EnqueueAll(events, now, admit);
    }

    /// <summary>
    /// A connection of its own for the outbox's writer (<see cref="SqliteOutbox"/>), kept open between commits with its
    /// statements prepared once. Opening a pooled connection, setting its synchronous mode and preparing BEGIN, the
    /// insert and COMMIT again for every commit cost the writer's thread more than a tenth of its time (SQLite's parser
    /// 11 % of its samples, bench/README.md).
    /// Not thread-safe: one caller at a time (the writer). A failed commit closes the connection (rolling back what it
    /// held) and the next call opens a new one.
    /// </summary>
    internal sealed class RequestWriter(OutboxStore store) : IDisposable
    {
        private SqliteConnection? _connection;
        private SqliteCommand? _begin;
        private SqliteCommand? _commit;
        private ActionInserter? _inserter;

        /// <summary>Stores the actions of several events in one transaction, as <see cref="OutboxStore.EnqueueAll"/> documents.</summary>
        public int[] EnqueueAll(IReadOnlyList<IReadOnlyList<NewAction>> events, DateTimeOffset now, Func<NewAction, NewAction?>? admit = null)
        {
            using var writing = store._writeLock.EnterScope();
            if (_connection is null)
            {
                // Not pooled: closing it after a failure must end its transaction, not hand it to the next user of a pool.
                _connection = store.Open(store._synchronous, pooled: false);
                _begin = Command(_connection, "BEGIN IMMEDIATE;");
                _commit = Command(_connection, "COMMIT;");
                _inserter = new ActionInserter(_connection);
            }

            try
            {
                _begin!.ExecuteNonQuery();
                var inserted = _inserter!.InsertAll(events, now, admit);
                _commit!.ExecuteNonQuery();
                return inserted;
            }
            catch
            {
                Dispose();
                throw;
            }
        }

        public void Dispose()
        {
            _inserter?.Dispose();
            _begin?.Dispose();
            _commit?.Dispose();
            _connection?.Dispose();
            (_connection, _begin, _commit, _inserter) = (null, null, null, null);
        }

        private static SqliteCommand Command(SqliteConnection connection, string sql)
        {
            var command = connection.CreateCommand();
            command.CommandText = sql;
            return command;
        }
    }

    /// <summary>
    /// The statement that stores an action, prepared once per connection with its parameters. One statement per action:
    /// the insert itself skips a key the outbox holds (the unique index) or the dead-letter table holds. <c>admit</c> is
    /// asked after the insert, only when it stored a new key, in the same transaction: an action it replaces or refuses
    /// (a notification held back) is taken out again, so that what commits is what it admitted.
    /// </summary>
    private sealed class ActionInserter : IDisposable
    {
        private readonly SqliteCommand _insert;
        private readonly SqliteCommand _undo;
        private readonly SqliteParameter[] _values;
        private readonly SqliteParameter _now;

        public ActionInserter(SqliteConnection connection)
        {
            _insert = connection.CreateCommand();
            _insert.CommandText = """
                INSERT INTO outbox (idempotency_key, event_id, event_type, policy, kind, destination, payload, status, attempts, created_at, next_attempt_at, event)
                SELECT $key, $event_id, $event_type, $policy, $kind, $destination, $payload, 'pending', 0, $now, $now, $event
                WHERE NOT EXISTS (SELECT 1 FROM dead_letter WHERE idempotency_key = $key)
                ON CONFLICT (idempotency_key) DO NOTHING;
                """;
            _values =
            [
                _insert.Parameters.Add("$key", SqliteType.Text), _insert.Parameters.Add("$event_id", SqliteType.Text),
                _insert.Parameters.Add("$event_type", SqliteType.Text), _insert.Parameters.Add("$policy", SqliteType.Text),
                _insert.Parameters.Add("$kind", SqliteType.Text), _insert.Parameters.Add("$destination", SqliteType.Text),
                _insert.Parameters.Add("$payload", SqliteType.Text), _insert.Parameters.Add("$event", SqliteType.Blob),
            ];
            _now = _insert.Parameters.Add("$now", SqliteType.Integer);
            _undo = connection.CreateCommand();
            _undo.CommandText = "DELETE FROM outbox WHERE id = last_insert_rowid();";
        }

        /// <summary>Stores each event's actions (in the caller's transaction); returns how many of each were stored.</summary>
        public int[] InsertAll(IReadOnlyList<IReadOnlyList<NewAction>> events, DateTimeOffset now, Func<NewAction, NewAction?>? admit)
        {
            _now.Value = now.ToUnixTimeMilliseconds();
            var inserted = new int[events.Count];
            for (var i = 0; i < events.Count; i++)
            {
                foreach (var candidate in events[i])
                {
                    inserted[i] += Insert(candidate, admit);
                }
            }

            return inserted;
        }

        /// <summary>1 when the action was stored; 0 when its key is known or <paramref name="admit"/> refused it.</summary>
        private int Insert(NewAction candidate, Func<NewAction, NewAction?>? admit)
        {
            if (Store(candidate) == 0)
            {
                return 0;
            }

            var action = admit is null ? candidate : admit(candidate);
            if (ReferenceEquals(action, candidate))
            {
                return 1;
            }

            _undo.ExecuteNonQuery();
            return action is null ? 0 : Store(action);
        }

        private int Store(NewAction action)
        {
            _values[0].Value = action.Key;
            _values[1].Value = action.EventId;
            _values[2].Value = action.EventType;
            _values[3].Value = (object?)action.Policy ?? DBNull.Value;
            _values[4].Value = action.Kind;
            _values[5].Value = action.Destination;
            _values[6].Value = ActionPayloads.Write(action.Payload);
            _values[7].Value = (object?)action.Event ?? DBNull.Value;
            return _insert.ExecuteNonQuery();
        }

        public void Dispose()
        {
            _insert.Dispose();
            _undo.Dispose();
        }
    }

    /// <summary>Claims up to <paramref name="max"/> due pending actions for <paramref name="owner"/> until <paramref name="leaseUntil"/>.</summary>
    public IReadOnlyList<OutboxItem> Claim(int max, DateTimeOffset now, DateTimeOffset leaseUntil, string owner) =>
        Claim(max, now, leaseUntil, owner, []);

    /// <summary>
    /// Records the <paramref name="delivered"/> actions, then claims up to <paramref name="max"/> due ones, in one
    /// transaction: a worker's bookkeeping for a finished delivery and its next claim cost one commit instead of two.
    /// </summary>
    internal IReadOnlyList<OutboxItem> Claim(int max, DateTimeOffset now, DateTimeOffset leaseUntil, string owner, IReadOnlyCollection<DeliveredAction> delivered) =>
        [.. ClaimBatches(max, now, leaseUntil, owner, delivered, _ => false, 1).Select(batch => batch[0])];

    /// <summary>As <see cref="ClaimBatches(int, Func{DateTimeOffset}, TimeSpan, string, IReadOnlyCollection{DeliveredAction}, Func{OutboxItem, bool}, int, bool)"/> at a fixed time.</summary>
    internal IReadOnlyList<IReadOnlyList<OutboxItem>> ClaimBatches(
        int max, DateTimeOffset now, DateTimeOffset leaseUntil, string owner, IReadOnlyCollection<DeliveredAction> delivered, Func<OutboxItem, bool> batchable, int batchMax,
        bool answersOnly = false) =>
        ClaimBatches(max, () => now, leaseUntil - now, owner, delivered, batchable, batchMax, answersOnly);

    /// <summary>
    /// As <see cref="Claim(int, DateTimeOffset, DateTimeOffset, string, IReadOnlyCollection{DeliveredAction})"/>, and
    /// with each claimed action that <paramref name="batchable"/> lets go with others (a file forward), up to
    /// <paramref name="batchMax"/> - 1 more due actions of the same kind and destination, found among the next
    /// <see cref="CompanionWindow"/> due ones (a bound on the scan behind a backlog of other destinations), in the same
    /// transaction. Returns one batch per action claimed on its own, that action first. Answers to DataWorks are claimed
    /// before anything else (an extension point holds an operation until its answer arrives, and a backlog of
    /// notifications to a slow receiver must not hold it); with <paramref name="answersOnly"/>, nothing else.
    /// </summary>
    /// <param name="clock">
    /// Read once the write lock is held: a claim that waited for a locked database (another writer, a busy disk) longer
    /// than <paramref name="lease"/> would otherwise take rows under a lease already expired, and the next claim would
    /// deliver them a second time.
    /// </param>
    internal IReadOnlyList<IReadOnlyList<OutboxItem>> ClaimBatches(
        int max, Func<DateTimeOffset> clock, TimeSpan lease, string owner, IReadOnlyCollection<DeliveredAction> delivered, Func<OutboxItem, bool> batchable, int batchMax,
        bool answersOnly = false)
    {
        using var writing = _writeLock.EnterScope();
        using var connection = OpenBookkeeping();
        // BEGIN IMMEDIATE (not deferred): the database's write lock is held from here, so the time read next is the claim's.
        using var transaction = connection.BeginTransaction(deferred: false);
        var now = clock();
        var leaseUntil = now + lease;
        WriteDelivered(connection, delivered);
        using var command = connection.CreateCommand();
        command.CommandText = $"""
            UPDATE outbox SET lease_until = $lease, lease_owner = $owner
            WHERE id IN (SELECT id FROM outbox WHERE {Due} ORDER BY next_attempt_at, id LIMIT 1)
            RETURNING {Columns}, {EventColumn};
            """;
        command.Parameters.AddWithValue("$lease", leaseUntil.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$owner", owner);
        command.Parameters.AddWithValue("$now", now.ToUnixTimeMilliseconds());
        var batches = new List<IReadOnlyList<OutboxItem>>();
        using var answers = connection.CreateCommand();
        answers.Transaction = transaction;
        answers.CommandText = $$"""
            UPDATE outbox SET lease_until = $lease, lease_owner = $owner
            WHERE id IN (SELECT id FROM outbox WHERE kind = '{{OutboxDispatcher.AnswerKind}}' AND {{Due}} ORDER BY next_attempt_at, id LIMIT $max)
            RETURNING {{Columns}}, {{EventColumn}};
            """;
        foreach (var parameter in command.Parameters.Cast<SqliteParameter>())
        {
            answers.Parameters.AddWithValue(parameter.ParameterName, parameter.Value);
        }

        answers.Parameters.AddWithValue("$max", max);
        batches.AddRange(Read(answers).OrderBy(a => (a.NextAttemptAt, a.Id)).Select(a => (IReadOnlyList<OutboxItem>)[a]));

        // One head at a time, each taking its companions before the next is chosen: the due forwards of one file go in
        // one batch, not in as many batches of one as there are free slots.
        while (!answersOnly && batches.Count < max && Read(command) is [var head])
        {
            batches.Add(batchMax > 1 && batchable(head) ? [head, .. ClaimCompanions(command, head, batchMax - 1)] : [head]);
        }

        transaction.Commit();
        return batches;
    }

    /// <summary>How many of the next due actions a batch's companions are looked for among.</summary>
    internal const int CompanionWindow = 1024;

    /// <summary>Due, and not under another claim's lease.</summary>
    private const string Due = "status = 'pending' AND next_attempt_at <= $now AND (lease_until IS NULL OR lease_until <= $now)";

    /// <summary>Claims (with the lease of <paramref name="claim"/>) up to <paramref name="max"/> due actions of the head's kind and destination.</summary>
    private static List<OutboxItem> ClaimCompanions(SqliteCommand claim, OutboxItem head, int max)
    {
        using var command = claim.Connection!.CreateCommand();
        command.Transaction = claim.Transaction;
        command.CommandText = $"""
            UPDATE outbox SET lease_until = $lease, lease_owner = $owner
            WHERE id IN (SELECT id FROM (SELECT id, kind, destination FROM outbox WHERE {Due} ORDER BY next_attempt_at, id LIMIT {CompanionWindow})
                         WHERE kind = $kind AND destination = $destination LIMIT $max)
            RETURNING {Columns}, {EventColumn};
            """;
        foreach (var name in (string[])["$lease", "$owner", "$now"])
        {
            command.Parameters.AddWithValue(name, claim.Parameters[name].Value);
        }

        command.Parameters.AddWithValue("$kind", head.Kind);
        command.Parameters.AddWithValue("$destination", head.Destination);
        command.Parameters.AddWithValue("$max", max);
        var companions = Read(command);
        companions.Sort(static (a, b) => (a.NextAttemptAt, a.Id).CompareTo((b.NextAttemptAt, b.Id)));
        return companions;
    }

    /// <summary>When the next pending action is due (null: none is pending).</summary>
    public DateTimeOffset? NextDue()
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT MIN(MAX(next_attempt_at, COALESCE(lease_until, 0))) FROM outbox WHERE status = 'pending';";
        return command.ExecuteScalar() is long ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null;
    }

    public void MarkDelivered(long id, int attempts, DateTimeOffset now) => MarkDelivered([new DeliveredAction(id, attempts, now)]);

    /// <summary>Records delivered actions, in one transaction.</summary>
    internal void MarkDelivered(IReadOnlyCollection<DeliveredAction> delivered)
    {
        if (delivered.Count == 0)
        {
            return;
        }

        using var writing = _writeLock.EnterScope();
        using var connection = OpenBookkeeping();
        using var transaction = connection.BeginTransaction();
        WriteDelivered(connection, delivered);
        transaction.Commit();
    }

    private static void WriteDelivered(SqliteConnection connection, IReadOnlyCollection<DeliveredAction> delivered)
    {
        if (delivered.Count == 0)
        {
            return;
        }

        using var command = connection.CreateCommand();
        command.CommandText = "UPDATE outbox SET status = 'delivered', attempts = $attempts, delivered_at = $now, lease_until = NULL, lease_owner = NULL, last_error = NULL WHERE id = $id;";
        var id = command.Parameters.Add("$id", SqliteType.Integer);
        var attempts = command.Parameters.Add("$attempts", SqliteType.Integer);
        var at = command.Parameters.Add("$now", SqliteType.Integer);
        foreach (var action in delivered)
        {
            id.Value = action.Id;
            attempts.Value = action.Attempts;
            at.Value = action.At.ToUnixTimeMilliseconds();
            command.ExecuteNonQuery();
        }
    }

    public void ScheduleRetry(long id, int attempts, DateTimeOffset nextAttemptAt, string error)
    {
        using var writing = _writeLock.EnterScope();
        using var connection = Open();
        Execute(connection, "UPDATE outbox SET attempts = $attempts, next_attempt_at = $next, last_error = $error, lease_until = NULL, lease_owner = NULL WHERE id = $id;",
            ("$id", id), ("$attempts", attempts), ("$next", nextAttemptAt.ToUnixTimeMilliseconds()), ("$error", error));
    }

    /// <summary>Gives a claim back without counting an attempt (the host no longer does: a stop lets its attempts finish; kept for callers of this public API).</summary>
    public void Release(long id)
    {
        using var writing = _writeLock.EnterScope();
        using var connection = OpenBookkeeping();
        Execute(connection, "UPDATE outbox SET lease_until = NULL, lease_owner = NULL WHERE id = $id AND status = 'pending';", ("$id", id));
    }

    /// <summary>Moves an action to the dead-letter table with its last error.</summary>
    public void DeadLetter(long id, int attempts, string error, DateTimeOffset now)
    {
        using var writing = _writeLock.EnterScope();
        using var connection = Open();
        using var transaction = connection.BeginTransaction();
        Execute(connection, """
            INSERT OR REPLACE INTO dead_letter (id, idempotency_key, event_id, event_type, policy, kind, destination, payload, status, attempts, created_at, next_attempt_at, delivered_at, last_error, dead_at, event)
            SELECT id, idempotency_key, event_id, event_type, policy, kind, destination, payload, 'dead', $attempts, created_at, next_attempt_at, NULL, $error, $now, event FROM outbox WHERE id = $id;
            DELETE FROM outbox WHERE id = $id;
            """, ("$id", id), ("$attempts", attempts), ("$error", error), ("$now", now.ToUnixTimeMilliseconds()));
        transaction.Commit();
    }

    /// <summary>
    /// Puts dead letters back in the outbox as new pending actions (attempts and age start again), and makes the
    /// selected pending actions due now. Selection: every dead letter when <paramref name="ids"/> and <paramref name="keys"/> are empty.
    /// Returns how many actions were moved or rescheduled.
    /// </summary>
    public int Retry(IReadOnlyCollection<long> ids, IReadOnlyCollection<string> keys, DateTimeOffset now)
    {
        using var writing = _writeLock.EnterScope();
        using var connection = Open();
        using var transaction = connection.BeginTransaction();
        var filter = Filter(ids, keys, out var parameters);
        var all = ids.Count == 0 && keys.Count == 0;
        // Pending ones first: rescheduled after the move, a dead letter just put back would be counted twice.
        var rescheduled = all ? 0 : Execute(connection, $"UPDATE outbox SET next_attempt_at = $now {filter.Replace("WHERE", "WHERE status = 'pending' AND (", StringComparison.Ordinal)});",
            [.. parameters, ("$now", now.ToUnixTimeMilliseconds())]);
        var moved = Execute(connection, $"""
            INSERT INTO outbox (id, idempotency_key, event_id, event_type, policy, kind, destination, payload, status, attempts, created_at, next_attempt_at, last_error, event)
            SELECT id, idempotency_key, event_id, event_type, policy, kind, destination, payload, 'pending', 0, $now, $now, last_error, event FROM dead_letter {filter};
            """, [.. parameters, ("$now", now.ToUnixTimeMilliseconds())]);
        Execute(connection, $"DELETE FROM dead_letter {filter};", parameters);
        transaction.Commit();
        return moved + rescheduled;
    }

    /// <summary>Deletes delivered actions older than <paramref name="deliveredBefore"/> (null: none) and, when asked, dead letters.</summary>
    public (int Delivered, int Dead) Purge(DateTimeOffset? deliveredBefore, bool dead, IReadOnlyCollection<long>? deadIds = null)
    {
        using var writing = _writeLock.EnterScope();
        using var connection = Open();
        using var transaction = connection.BeginTransaction();
        var delivered = deliveredBefore is { } before
            ? Execute(connection, "DELETE FROM outbox WHERE status = 'delivered' AND delivered_at < $before;", ("$before", before.ToUnixTimeMilliseconds()))
            : 0;
        var deadCount = 0;
        if (dead)
        {
            var filter = Filter(deadIds ?? [], [], out var parameters);
            deadCount = Execute(connection, $"DELETE FROM dead_letter {filter};", parameters);
        }

        transaction.Commit();
        return (delivered, deadCount);
    }

    /// <summary>Actions by status (pending, delivered, dead, or null for all), newest first.</summary>
    public IReadOnlyList<OutboxItem> List(string? status, int limit)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        var outbox = $"SELECT {Columns} FROM outbox" + (status is Pending or Delivered ? " WHERE status = $status" : "");
        var dead = $"SELECT {Columns} FROM dead_letter";
        command.CommandText = status switch
        {
            Pending or Delivered => outbox,
            Dead => dead,
            _ => outbox + " UNION ALL " + dead,
        } + " ORDER BY created_at DESC, id DESC LIMIT $limit;";
        command.Parameters.AddWithValue("$status", status ?? "");
        command.Parameters.AddWithValue("$limit", limit);
        return Read(command);
    }

    public (long Pending, long Delivered, long Dead) Counts()
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT (SELECT COUNT(*) FROM outbox WHERE status = 'pending'), (SELECT COUNT(*) FROM outbox WHERE status = 'delivered'), (SELECT COUNT(*) FROM dead_letter);";
        using var reader = command.ExecuteReader();
        reader.Read();
        return (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
    }

    private SqliteConnection Open() => Open(_synchronous);

    /// <summary>
    /// A connection for the workers' bookkeeping (claims, delivered marks, claims given back), committed without a flush
    /// of its own (synchronous=NORMAL): losing the last of these to a power loss only means those actions are delivered
    /// again, which at-least-once delivery allows. In WAL mode the log is written in order, so the next commit with
    /// synchronous=FULL (a request's actions) flushes them too; a request's own rows are never written this way.
    /// </summary>
    private SqliteConnection OpenBookkeeping() => Open("NORMAL");

    private SqliteConnection Open(string synchronous, bool pooled = true)
    {
        var connection = new SqliteConnection(pooled ? _connectionString : new SqliteConnectionStringBuilder(_connectionString) { Pooling = false }.ToString());
        connection.Open();
        Execute(connection, $"PRAGMA synchronous={synchronous};");
        return connection;
    }

    private static string Filter(IReadOnlyCollection<long> ids, IReadOnlyCollection<string> keys, out (string, object)[] parameters)
    {
        var list = new List<(string, object)>();
        var terms = new List<string>();
        foreach (var id in ids)
        {
            var name = "$id" + list.Count.ToString(CultureInfo.InvariantCulture);
            list.Add((name, id));
            terms.Add("id = " + name);
        }

        foreach (var key in keys)
        {
            var name = "$key" + list.Count.ToString(CultureInfo.InvariantCulture);
            list.Add((name, key));
            terms.Add("idempotency_key = " + name);
        }

        parameters = [.. list];
        return terms.Count == 0 ? "" : "WHERE " + string.Join(" OR ", terms);
    }

    private static int Execute(SqliteConnection connection, string sql, params (string Name, object Value)[] parameters)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return command.ExecuteNonQuery();
    }

    private static List<OutboxItem> Read(SqliteCommand command)
    {
        var items = new List<OutboxItem>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            items.Add(new OutboxItem(
                reader.GetInt64(0),
                reader.GetString(1),
                reader.GetString(2),
                reader.GetString(3),
                reader.IsDBNull(4) ? null : reader.GetString(4),
                reader.GetString(5),
                reader.GetString(6),
                reader.GetString(7),
                reader.GetString(8),
                reader.GetInt32(9),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(10)),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(11)),
                reader.IsDBNull(12) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(12)),
                reader.IsDBNull(13) ? null : reader.GetString(13))
            {
                Event = reader.FieldCount > 14 && !reader.IsDBNull(14) ? (byte[])reader.GetValue(14) : null,
            });
        }

        return items;
    }
}
