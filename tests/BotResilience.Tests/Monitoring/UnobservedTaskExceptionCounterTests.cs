using System.Runtime.CompilerServices;
using BotResilience.Monitoring;

namespace BotResilience.Tests.Monitoring;

[Collection(MonitoringIntegrationCollection.Name)]
public sealed class UnobservedTaskExceptionCounterTests
{
    [Fact]
    public void Counts_and_logs_unobserved_task_exceptions_until_disposed()
    {
        var logger = new TestLogger();
        var counter = new UnobservedTaskExceptionCounter(logger);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (counter.Count == 0 && DateTime.UtcNow < deadline)
        {
            DropFaultedTask();
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }

        Assert.True(counter.Count >= 1);
        Assert.Contains(logger.Entries, e => e.Message.Contains("Unobserved task exception", StringComparison.Ordinal) && e.Exception is AggregateException);

        counter.Dispose();
        var afterDispose = counter.Count;
        DropFaultedTask();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        Assert.Equal(afterDispose, counter.Count);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void DropFaultedTask()
    {
        _ = Task.FromException(new InvalidOperationException("FLOOD_WAIT nobody awaited"));
        _ = Task.Run(() => throw new InvalidOperationException("never awaited"));
        Thread.Sleep(20);
    }
}
