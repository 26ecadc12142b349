using Coinage.Domain.Data;
using Coinage.Worker.Infrastructure;
using Coinage.Worker.Jobs;
using Microsoft.Extensions.DependencyInjection;

namespace Coinage.Worker.Tests;

public sealed class HeartbeatJobTests(InfrastructureFixture infrastructure)
{
    [Fact]
    public async Task Invoked_directly_the_job_writes_one_row_with_this_instance_and_the_time()
    {
        await using var factory = new WorkerFactory(infrastructure);
        var at = new DateTimeOffset(2031, 5, 6, 7, 8, 9, TimeSpan.Zero);
        await using var scope = factory.Services.CreateAsyncScope();
        var instance = scope.ServiceProvider.GetRequiredService<ServiceInstance>();
        // The registered job, built by the container, except for a clock that marks its row.
        var job = ActivatorUtilities.CreateInstance<HeartbeatJob>(scope.ServiceProvider, new FixedTimeProvider(at));
        Assert.NotNull(scope.ServiceProvider.GetRequiredService<HeartbeatJob>());

        await job.RunAsync(TestContext.Current.CancellationToken);

        Assert.Equal(1, await InfrastructureFixture.ScalarAsync<long>(infrastructure.PostgresConnectionString,
            "SELECT count(*) FROM heartbeats WHERE recorded_at = @at AND source = @source", ("at", at), ("source", instance.Name)));
    }

    [Fact]
    public void The_instance_name_comes_from_the_service_instance_id()
    {
        Assert.Equal("worker-2", ServiceInstance.ParseInstanceId("service.namespace=coinage, service.instance.id=worker-2"));
        Assert.Null(ServiceInstance.ParseInstanceId("service.namespace=coinage"));
        Assert.Null(ServiceInstance.ParseInstanceId(null));
    }

    private sealed class FixedTimeProvider(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
