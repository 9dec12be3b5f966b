using CostTracking;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CostTracking.Hosting;

/// <summary>Runs the session sweep (idle sessions → abandoned) and retention every <see cref="SessionLifecycleOptions.SweepInterval"/>.</summary>
internal sealed partial class SessionSweeperService : BackgroundService
{
    private readonly ISessionTracker _sessions;
    private readonly ICostTracker _tracker;
    private readonly TimeProvider _time;
    private readonly TimeSpan _interval;
    private readonly ILogger _logger;
    private int _completedSweeps;

    public SessionSweeperService(ISessionTracker sessions, ICostTracker tracker, TimeProvider time, IOptions<CostTrackingOptions> options, ILogger logger)
    {
        _sessions = sessions;
        _tracker = tracker;
        _time = time;
        _interval = options.Value.Sessions.SweepInterval;
        _logger = logger;
    }

    /// <summary>Gets how many sweeps have finished (for tests and diagnostics).</summary>
    internal int CompletedSweeps => Volatile.Read(ref _completedSweeps);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_interval, _time);
        try
        {
            do
            {
                await SweepOnceAsync(stoppingToken).ConfigureAwait(false);
            }
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The host is stopping.
        }
    }

    private async Task SweepOnceAsync(CancellationToken stoppingToken)
    {
        try
        {
            await _sessions.AbandonIdleSessionsAsync(stoppingToken).ConfigureAwait(false);
            await _tracker.ApplyRetentionAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
        {
            // A failed sweep must never take the host down; the next tick tries again.
            SweepFailed(_logger, ex);
        }
        finally
        {
            Interlocked.Increment(ref _completedSweeps);
        }
    }

    [LoggerMessage(1, LogLevel.Error, "The CostTracking session sweep failed; it runs again at the next interval.")]
    private static partial void SweepFailed(ILogger logger, Exception exception);
}
