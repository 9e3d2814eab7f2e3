using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace BotResilience.PostgreSql.Leadership;

/// <summary>
/// Leader election / single-instance lock (seed 004's "one running instance"): a session-level advisory lock
/// (<c>pg_try_advisory_lock</c>) held on a DEDICATED, unpooled connection. The lock is released by
/// <see cref="ReleaseAsync"/>, by <see cref="DisposeAsync"/>, when the work of <see cref="RunAsLeaderAsync"/>
/// ends or fails — and by the server when the process dies, because its connection closes. The leader checks its
/// connection every <see cref="PostgreSqlLeaderLockOptions.CheckInterval"/>; when it breaks, leadership is
/// reported lost (<see cref="LeadershipChanged"/>, <see cref="LeadershipToken"/> cancelled). Standbys retry every
/// <see cref="PostgreSqlLeaderLockOptions.RetryInterval"/>, so one takes over within about that interval.
/// </summary>
public sealed partial class PostgreSqlLeaderLock : IAsyncDisposable
{
    private readonly string _connectionString;
    private readonly PostgreSqlLeaderLockOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private NpgsqlConnection? _connection;
    private CancellationTokenSource? _leadership;
    private ITimer? _checkTimer;
    private int _checking;

    /// <summary>Creates the lock (nothing is acquired yet).</summary>
    /// <param name="connectionString">An Npgsql connection string; pooling is turned off for the dedicated connection.</param>
    /// <param name="options">Options; validated here. <see langword="null"/> for the defaults.</param>
    /// <param name="timeProvider">Clock for the checks and retries.</param>
    /// <param name="logger">Logs acquisition and loss.</param>
    public PostgreSqlLeaderLock(string connectionString, PostgreSqlLeaderLockOptions? options = null, TimeProvider? timeProvider = null, ILogger? logger = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(connectionString);
        options ??= new PostgreSqlLeaderLockOptions();
        options.Validate();
        _connectionString = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false, ApplicationName = "botresilience-leader" }.ConnectionString;
        _options = options;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>Raised when leadership is acquired or lost.</summary>
    public event EventHandler<LeadershipChangedEventArgs>? LeadershipChanged;

    /// <summary>The lock's name.</summary>
    public string Name => _options.Name;

    /// <summary>Whether this process holds the lock (as of the last check).</summary>
    public bool IsLeader => Volatile.Read(ref _leadership) is { IsCancellationRequested: false };

    /// <summary>
    /// Cancelled when leadership ends (lost or released); <see cref="CancellationToken.None"/>-like (already
    /// cancelled) when not leader. Pass it to the work only the leader may do.
    /// </summary>
    public CancellationToken LeadershipToken => Volatile.Read(ref _leadership)?.Token ?? new CancellationToken(canceled: true);

    /// <summary>The server process id of the dedicated connection while leader (for diagnostics and tests).</summary>
    public int? BackendProcessId => IsLeader ? _connection?.ProcessID : null;

    /// <summary>Tries once to become leader.</summary>
    /// <param name="cancellationToken">Cancels the attempt.</param>
    /// <returns><see langword="true"/> when this process is leader (also when it already was).</returns>
    public async Task<bool> TryAcquireAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (IsLeader)
            {
                return true;
            }

            var connection = new NpgsqlConnection(_connectionString);
            try
            {
                await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
                var command = new NpgsqlCommand("SELECT pg_try_advisory_lock($1)", connection);
                await using var commandScope = command.ConfigureAwait(false);
                command.Parameters.Add(new NpgsqlParameter { Value = _options.LockKey });
                var acquired = (bool)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
                if (!acquired)
                {
                    await connection.DisposeAsync().ConfigureAwait(false);
                    return false;
                }
            }
            catch
            {
                await connection.DisposeAsync().ConfigureAwait(false);
                throw;
            }

            _connection = connection;
            Volatile.Write(ref _leadership, new CancellationTokenSource());
            _checkTimer = _timeProvider.CreateTimer(static s => ((PostgreSqlLeaderLock)s!).OnCheckTimer(), this, _options.CheckInterval, _options.CheckInterval);
            LogAcquired(_logger, _options.Name, connection.ProcessID);
        }
        finally
        {
            _gate.Release();
        }

        // Raised outside the gate, so a handler may call ReleaseAsync / TryAcquireAsync.
        LeadershipChanged?.Invoke(this, new LeadershipChangedEventArgs(_options.Name, true, null));
        return true;
    }

    /// <summary>Waits until this process is leader, retrying every <see cref="PostgreSqlLeaderLockOptions.RetryInterval"/>.</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    public async Task AcquireAsync(CancellationToken cancellationToken = default)
    {
        while (true)
        {
            try
            {
                if (await TryAcquireAsync(cancellationToken).ConfigureAwait(false))
                {
                    return;
                }
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested && ex is NpgsqlException or TimeoutException or System.Net.Sockets.SocketException)
            {
                LogAcquireFailed(_logger, ex, _options.Name);
            }

            await Task.Delay(_options.RetryInterval, _timeProvider, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Runs <paramref name="work"/> whenever this process is leader: waits for leadership, runs the work with a
    /// token that is cancelled when leadership is lost or <paramref name="cancellationToken"/> is cancelled, and
    /// always releases the lock afterwards. If leadership is lost, it becomes a standby again and repeats; if the
    /// work completes or throws, the lock is released and the method returns (or rethrows).
    /// </summary>
    /// <param name="work">The leader-only work.</param>
    /// <param name="cancellationToken">Stops everything (the lock is released).</param>
    public async Task RunAsLeaderAsync(Func<CancellationToken, Task> work, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(work);
        while (true)
        {
            await AcquireAsync(cancellationToken).ConfigureAwait(false);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, LeadershipToken);
            try
            {
                await work(linked.Token).ConfigureAwait(false);
                return;
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && !IsLeader)
            {
                // Leadership lost: stand by and try again.
            }
            finally
            {
                await ReleaseAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>Releases the lock if held (idempotent).</summary>
    public async Task ReleaseAsync()
    {
        var ended = false;
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            var connection = _connection;
            if (connection is null)
            {
                return;
            }

            try
            {
                if (connection.FullState == System.Data.ConnectionState.Open)
                {
                    var command = new NpgsqlCommand("SELECT pg_advisory_unlock($1)", connection);
                    await using var commandScope = command.ConfigureAwait(false);
                    command.Parameters.Add(new NpgsqlParameter { Value = _options.LockKey });
                    await command.ExecuteScalarAsync().ConfigureAwait(false);
                }
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException or InvalidOperationException)
            {
                // Closing the connection below releases the lock anyway.
                LogReleaseFailed(_logger, ex, _options.Name);
            }

            ended = EndLeadership();
        }
        finally
        {
            _gate.Release();
        }

        if (ended)
        {
            LeadershipChanged?.Invoke(this, new LeadershipChangedEventArgs(_options.Name, false, null));
        }
    }

    /// <summary>Releases the lock and the dedicated connection.</summary>
    public async ValueTask DisposeAsync()
    {
        await ReleaseAsync().ConfigureAwait(false);
        _gate.Dispose();
    }

    private void OnCheckTimer()
    {
        if (Interlocked.Exchange(ref _checking, 1) == 1)
        {
            return;
        }

        _ = CheckAsync();
    }

    private async Task CheckAsync()
    {
        Exception? lostBecause = null;
        try
        {
            await _gate.WaitAsync().ConfigureAwait(false);
            try
            {
                var connection = _connection;
                if (connection is null)
                {
                    return;
                }

                try
                {
                    using var timeout = new CancellationTokenSource(_options.CheckInterval, _timeProvider);
                    var command = new NpgsqlCommand("SELECT 1", connection);
                    await using var commandScope = command.ConfigureAwait(false);
                    await command.ExecuteScalarAsync(timeout.Token).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is NpgsqlException or TimeoutException or OperationCanceledException or InvalidOperationException or IOException)
                {
                    LogLost(_logger, ex, _options.Name);
                    if (EndLeadership())
                    {
                        lostBecause = ex;
                    }
                }
            }
            finally
            {
                _gate.Release();
            }
        }
        catch (ObjectDisposedException)
        {
            // Disposed while a check was scheduled.
        }
        finally
        {
            Volatile.Write(ref _checking, 0);
        }

        if (lostBecause is not null)
        {
            LeadershipChanged?.Invoke(this, new LeadershipChangedEventArgs(_options.Name, false, lostBecause));
        }
    }

    // Called under _gate; returns whether leadership ended here (the caller raises LeadershipChanged outside the gate).
    private bool EndLeadership()
    {
        _checkTimer?.Dispose();
        _checkTimer = null;
        var connection = _connection;
        _connection = null;
        connection?.Dispose();
        var leadership = Interlocked.Exchange(ref _leadership, null);
        if (leadership is null)
        {
            return false;
        }

        leadership.Cancel();
        leadership.Dispose();
        return true;
    }

    [LoggerMessage(EventId = 10, Level = LogLevel.Information, Message = "Leader lock {Name} acquired (backend pid {Pid})")]
    private static partial void LogAcquired(ILogger logger, string name, int pid);

    [LoggerMessage(EventId = 11, Level = LogLevel.Error, Message = "Leader lock {Name} lost: its connection failed")]
    private static partial void LogLost(ILogger logger, Exception error, string name);

    [LoggerMessage(EventId = 12, Level = LogLevel.Warning, Message = "Leader lock {Name}: acquisition attempt failed; retrying")]
    private static partial void LogAcquireFailed(ILogger logger, Exception error, string name);

    [LoggerMessage(EventId = 13, Level = LogLevel.Warning, Message = "Leader lock {Name}: unlock failed; closing the connection releases it")]
    private static partial void LogReleaseFailed(ILogger logger, Exception error, string name);
}
