using System.Diagnostics;
using Microsoft.Extensions.Hosting;

namespace Coinage.ApiService.Tests.Observability;

/// <summary>Polling queries outside any trace are not exported; queries inside a request are.</summary>
public sealed class BackgroundQueryFilterTests : IDisposable
{
    private readonly ActivitySource _npgsql = new(BackgroundQueryFilter.NpgsqlSource);
    private readonly ActivitySource _app = new("Coinage.Tests.BackgroundQueryFilter");
    private readonly ActivityListener _listener = new()
    {
        ShouldListenTo = source => source.Name is BackgroundQueryFilter.NpgsqlSource or "Coinage.Tests.BackgroundQueryFilter",
        Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
    };
    private readonly BackgroundQueryFilter _filter = new();

    public BackgroundQueryFilterTests() => ActivitySource.AddActivityListener(_listener);

    [Fact]
    public void A_query_outside_any_trace_is_not_recorded()
    {
        using var query = _npgsql.StartActivity("coinagedb", ActivityKind.Client, parentContext: default)!;
        _filter.OnStart(query);

        Assert.False(query.Recorded);
    }

    [Fact]
    public void A_query_inside_a_request_and_the_request_itself_are_recorded()
    {
        using var request = _app.StartActivity("POST /api/v1/orders", ActivityKind.Server, parentContext: default)!;
        _filter.OnStart(request);
        using var query = _npgsql.StartActivity("coinagedb", ActivityKind.Client)!;
        _filter.OnStart(query);

        Assert.True(request.Recorded);
        Assert.True(query.Recorded);
        Assert.Equal(request.TraceId, query.TraceId);
    }

    public void Dispose()
    {
        _listener.Dispose();
        _npgsql.Dispose();
        _app.Dispose();
        _filter.Dispose();
    }
}
