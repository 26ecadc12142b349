using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Coinage.Hosting.ApplicationModel;
using Coinage.Hosting.Orchestration;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace Coinage.Hosting.Dashboard;

public sealed record LinkView(string Label, string Url, bool IsHttp);

public sealed record ResourceView(
    string Name,
    string Type,
    string State,
    string Health,
    DateTimeOffset? StartedAt,
    DateTimeOffset? StoppedAt,
    IReadOnlyList<int> ProcessIds,
    int? ExitCode,
    int Restarts,
    IReadOnlyList<LinkView> Endpoints,
    string? Message,
    bool IsOptional,
    IReadOnlyList<string> References,
    IReadOnlyList<string> WaitsFor,
    string? Parent,
    bool CanControl);

/// <summary>An environment variable as shown on the resources page; secret values are sent only on request.</summary>
public sealed record EnvironmentVariableView(string Name, string? Value, bool IsSecret);

public sealed record ConsoleLineView(long Sequence, DateTimeOffset Timestamp, string Text, bool IsError);

public sealed record ActionAccepted(string Resource, string Action);

/// <summary>Resources, their console output and the stop/start/restart actions.</summary>
internal static class ResourcesApi
{
    private const int ConsoleBatch = 1_000;
    private static readonly TimeSpan ConsoleTick = TimeSpan.FromMilliseconds(100);

    public static void MapResourcesApi(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup("/api");
        api.MapGet("/info", GetInfo);
        api.MapGet("/resources", GetResources);
        api.MapGet("/resources/stream", StreamResourcesAsync);
        api.MapGet("/resources/{name}/environment", GetEnvironment);
        api.MapGet("/resources/{name}/environment/{variable}", RevealVariable);
        api.MapGet("/resources/{name}/console", GetConsole);
        api.MapGet("/resources/{name}/console/download", DownloadConsole);
        api.MapGet("/resources/{name}/console/stream", StreamConsoleAsync);
        api.MapPost("/resources/{name}/{action:regex(^(stop|start|restart)$)}", RunAction).RequireAntiForgeryHeader();
    }

    private static Ok<DashboardInfo> GetInfo(DashboardServer dashboard) => TypedResults.Ok(new DashboardInfo(
        "Coinage",
        dashboard.Options.Unsecured,
        Links(dashboard),
        dashboard.Model.Resources.Where(r => r is ProjectResource).Select(r => r.Name).ToList(),
        dashboard.Telemetry.Limits,
        dashboard.Options.MaxConsoleLinesOnScreen));

    private static Ok<List<ResourceView>> GetResources(DashboardServer dashboard) =>
        TypedResults.Ok(dashboard.Model.Resources.Where(r => r is not ParameterResource).Select(r => View(dashboard, r)).ToList());

    private static Results<Ok<List<EnvironmentVariableView>>, NotFound> GetEnvironment(DashboardServer dashboard, string name) =>
        Find(dashboard, name) is { } resource
            ? TypedResults.Ok(Environment(dashboard, resource).Select(v => new EnvironmentVariableView(v.Name, IsSecret(v) ? null : v.Value, IsSecret(v))).ToList())
            : TypedResults.NotFound();

    /// <summary>The explicit "show" click: one secret value, never the whole list.</summary>
    private static Results<Ok<EnvironmentVariableView>, NotFound> RevealVariable(DashboardServer dashboard, string name, string variable) =>
        Find(dashboard, name) is { } resource && Environment(dashboard, resource).FirstOrDefault(v => v.Name == variable) is { } value
            ? TypedResults.Ok(new EnvironmentVariableView(value.Name, value.Value, IsSecret(value)))
            : TypedResults.NotFound();

    private static Results<Ok<List<ConsoleLineView>>, NotFound> GetConsole(DashboardServer dashboard, string name, string? q, int? tail) =>
        Find(dashboard, name) is null
            ? TypedResults.NotFound()
            : TypedResults.Ok(dashboard.Logs.Snapshot(name)
                .Where(l => q is not { Length: > 0 } || l.Text.Contains(q, StringComparison.OrdinalIgnoreCase))
                .TakeLast(Math.Clamp(tail ?? 1_000, 1, ResourceLogStore.DefaultCapacity))
                .Select(l => new ConsoleLineView(l.Sequence, l.Timestamp, l.Text, l.IsError))
                .ToList());

    private static Results<FileContentHttpResult, NotFound> DownloadConsole(DashboardServer dashboard, string name)
    {
        if (Find(dashboard, name) is null)
        {
            return TypedResults.NotFound();
        }
        var text = new StringBuilder();
        foreach (var line in dashboard.Logs.Snapshot(name))
        {
            text.Append(line.Timestamp.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture))
                .Append(line.IsError ? " ERR " : "     ")
                .Append(line.Text).Append('\n');
        }
        return TypedResults.File(Encoding.UTF8.GetBytes(text.ToString()), "text/plain; charset=utf-8",
            $"{name}-console-{DateTimeOffset.UtcNow:yyyyMMdd-HHmmss}.txt");
    }

    private static Results<Accepted<ActionAccepted>, NotFound, Conflict<string>> RunAction(DashboardServer dashboard, string name, string action)
    {
        if (Find(dashboard, name) is not { } resource)
        {
            return TypedResults.NotFound();
        }
        if (!CanControl(resource))
        {
            return TypedResults.Conflict($"{name} has no process of its own to {action}.");
        }
        var orchestrator = dashboard.Orchestrator;
        try
        {
            _ = orchestrator.Values;
        }
        catch (InvalidOperationException)
        {
            return TypedResults.Conflict("The orchestrator has not started yet.");
        }
        // Start-up can take minutes (health checks); the page follows the state over the live stream.
        _ = Task.Run(async () =>
        {
            try
            {
                switch (action)
                {
                    case "stop":
                        await orchestrator.StopResourceAsync(name).ConfigureAwait(false);
                        break;
                    case "start":
                        await orchestrator.StartResourceAsync(name).ConfigureAwait(false);
                        break;
                    default:
                        await orchestrator.RestartResourceAsync(name).ConfigureAwait(false);
                        break;
                }
            }
            catch (Exception ex) when (ex is ResourceFailedException or InvalidOperationException or IOException or OperationCanceledException)
            {
                dashboard.Logs.Write(name, $"[dashboard] {action} failed: {ex.Message}", isError: true);
            }
        });
        return TypedResults.Accepted($"/api/resources/{name}", new ActionAccepted(name, action));
    }

    /// <summary>Server-Sent Events: the whole list first, then each change as it happens.</summary>
    private static async Task StreamResourcesAsync(HttpContext context, DashboardServer dashboard, IOptions<JsonOptions> json)
    {
        var changes = Channel.CreateBounded<string>(new BoundedChannelOptions(1_000) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
        void OnChanged(ResourceSnapshot snapshot)
        {
            if (Find(dashboard, snapshot.Name) is { } resource && resource is not ParameterResource)
            {
                changes.Writer.TryWrite(resource.Name);
            }
        }
        dashboard.States.Changed += OnChanged;
        try
        {
            var cancellationToken = context.RequestAborted;
            await StartEventStreamAsync(context).ConfigureAwait(false);
            var all = dashboard.Model.Resources.Where(r => r is not ParameterResource).Select(r => View(dashboard, r)).ToList();
            await WriteEventAsync(context, "resources", JsonSerializer.Serialize(all, json.Value.SerializerOptions)).ConfigureAwait(false);
            while (!cancellationToken.IsCancellationRequested)
            {
                using var keepAlive = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                keepAlive.CancelAfter(TimeSpan.FromSeconds(15));
                try
                {
                    await changes.Reader.WaitToReadAsync(keepAlive.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    await context.Response.WriteAsync(": keep-alive\n\n", cancellationToken).ConfigureAwait(false);
                    await context.Response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
                    continue;
                }
                var names = new HashSet<string>(StringComparer.Ordinal);
                while (changes.Reader.TryRead(out var name))
                {
                    names.Add(name);
                }
                foreach (var name in names)
                {
                    var view = View(dashboard, dashboard.Model[name]);
                    await WriteEventAsync(context, "resource", JsonSerializer.Serialize(view, json.Value.SerializerOptions)).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The browser went away.
        }
        finally
        {
            dashboard.States.Changed -= OnChanged;
        }
    }

    /// <summary>
    /// Server-Sent Events of console lines: the recent backlog, then new lines in batches every
    /// 100 ms. A resource that floods its console loses its oldest unsent lines (and the page is
    /// told how many) instead of slowing the dashboard down.
    /// </summary>
    private static async Task StreamConsoleAsync(HttpContext context, DashboardServer dashboard, IOptions<JsonOptions> json, string name, int? tail)
    {
        if (Find(dashboard, name) is null)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }
        var cancellationToken = context.RequestAborted;
        var pending = Channel.CreateBounded<LogLine>(new BoundedChannelOptions(ConsoleBatch * 5) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true, SingleWriter = true });
        long received = 0;
        // Subscribe before taking the backlog so that no line falls between the two.
        var subscription = dashboard.Logs.SubscribeAsync(name, cancellationToken).GetAsyncEnumerator(cancellationToken);
        var first = subscription.MoveNextAsync();
        var pump = PumpAsync(subscription, first, pending.Writer, () => Interlocked.Increment(ref received));
        try
        {
            await StartEventStreamAsync(context).ConfigureAwait(false);
            var backlog = dashboard.Logs.Snapshot(name).TakeLast(Math.Clamp(tail ?? 2_000, 0, ResourceLogStore.DefaultCapacity)).ToList();
            var lastSequence = backlog.Count > 0 ? backlog[^1].Sequence : 0;
            await WriteEventAsync(context, "lines", JsonSerializer.Serialize(new ConsoleBatchView(backlog.Select(ToView).ToList(), 0), json.Value.SerializerOptions)).ConfigureAwait(false);

            long sent = 0;
            var batch = new List<ConsoleLineView>(ConsoleBatch);
            var idle = TimeSpan.Zero;
            while (!cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(ConsoleTick, cancellationToken).ConfigureAwait(false);
                batch.Clear();
                var consumed = 0L;
                while (batch.Count < ConsoleBatch && pending.Reader.TryRead(out var line))
                {
                    consumed++;
                    if (line.Sequence > lastSequence)
                    {
                        batch.Add(ToView(line));
                    }
                }
                if (batch.Count == 0)
                {
                    idle += ConsoleTick;
                    if (idle >= TimeSpan.FromSeconds(15))
                    {
                        idle = TimeSpan.Zero;
                        await context.Response.WriteAsync(": keep-alive\n\n", cancellationToken).ConfigureAwait(false);
                        await context.Response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
                    }
                    continue;
                }
                idle = TimeSpan.Zero;
                sent += consumed;
                // Lines the bounded buffer dropped while this stream was behind.
                var dropped = Math.Max(0, Interlocked.Read(ref received) - sent - pending.Reader.Count);
                sent += dropped;
                await WriteEventAsync(context, "lines", JsonSerializer.Serialize(new ConsoleBatchView(batch, dropped), json.Value.SerializerOptions)).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // The browser went away.
        }
        finally
        {
            try
            {
                await pump.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
            await subscription.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static async Task PumpAsync(IAsyncEnumerator<LogLine> subscription, ValueTask<bool> first, ChannelWriter<LogLine> writer, Action onLine)
    {
        var hasLine = await first.ConfigureAwait(false);
        while (hasLine)
        {
            onLine();
            writer.TryWrite(subscription.Current);
            hasLine = await subscription.MoveNextAsync().ConfigureAwait(false);
        }
    }

    private static ConsoleLineView ToView(LogLine line) => new(line.Sequence, line.Timestamp, line.Text, line.IsError);

    private static async Task StartEventStreamAsync(HttpContext context)
    {
        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-store";
        context.Response.Headers["X-Accel-Buffering"] = "no";
        await context.Response.Body.FlushAsync(context.RequestAborted).ConfigureAwait(false);
    }

    private static async Task WriteEventAsync(HttpContext context, string type, string data)
    {
        await context.Response.WriteAsync($"event: {type}\ndata: {data}\n\n", context.RequestAborted).ConfigureAwait(false);
        await context.Response.Body.FlushAsync(context.RequestAborted).ConfigureAwait(false);
    }

    private static IResource? Find(DashboardServer dashboard, string name) =>
        dashboard.Model.Resources.FirstOrDefault(r => r.Name == name);

    private static bool CanControl(IResource resource) => resource is IRunnableResource;

    private static bool IsSecret(EnvironmentValue value) => value.IsSecret || ResourceEnvironment.LooksSecret(value.Name);

    private static IReadOnlyList<EnvironmentValue> Environment(DashboardServer dashboard, IResource resource)
    {
        try
        {
            return ResourceEnvironment.Build(resource, dashboard.Orchestrator.Values, dashboard.Model.Context);
        }
        catch (InvalidOperationException)
        {
            return []; // ports are allocated when the orchestrator starts
        }
    }

    private static ResourceView View(DashboardServer dashboard, IResource resource)
    {
        var snapshot = dashboard.States.All.FirstOrDefault(s => s.Name == resource.Name) ?? ResourceSnapshot.Initial(resource);
        return new ResourceView(
            resource.Name,
            resource.ResourceType,
            snapshot.State,
            snapshot.Health.ToString(),
            snapshot.StartedAt,
            snapshot.StoppedAt,
            snapshot.ProcessIds,
            snapshot.ExitCode,
            snapshot.Restarts,
            Endpoints(dashboard, resource),
            snapshot.Message,
            snapshot.IsOptional,
            resource.References().Select(r => r.Name).ToList(),
            resource.WaitsFor().Select(r => r.Name).ToList(),
            resource is IResourceWithParent child ? child.Parent.Name : null,
            CanControl(resource));
    }

    private static List<LinkView> Endpoints(DashboardServer dashboard, IResource resource)
    {
        LocalValueContext values;
        try
        {
            values = dashboard.Orchestrator.Values;
        }
        catch (InvalidOperationException)
        {
            return [];
        }
        var links = new List<LinkView>();
        foreach (var url in resource.Annotations.OfType<UrlAnnotation>())
        {
            links.Add(new LinkView(url.Label, values.Url(resource.GetEndpoint(url.EndpointName)) + url.Path, true));
        }
        var replicas = resource is ProjectResource project ? project.Replicas : 1;
        foreach (var endpoint in resource.Endpoints())
        {
            for (var replica = 0; replica < replicas; replica++)
            {
                var label = replicas > 1 ? $"{endpoint.Name} #{replica}" : endpoint.Name;
                links.Add(new LinkView(label, values.Url(endpoint, replica), endpoint.IsHttp));
            }
        }
        return links;
    }

    /// <summary>Every labelled URL of the model: Prometheus, Hangfire, the mail inbox, the API reference…</summary>
    private static List<ResourceLink> Links(DashboardServer dashboard)
    {
        LocalValueContext values;
        try
        {
            values = dashboard.Orchestrator.Values;
        }
        catch (InvalidOperationException)
        {
            return [];
        }
        return dashboard.Model.Resources
            .SelectMany(r => r.Annotations.OfType<UrlAnnotation>().Select(u => new ResourceLink(r.Name, u.Label, values.Url(r.GetEndpoint(u.EndpointName)) + u.Path)))
            .ToList();
    }
}

public sealed record ResourceLink(string Resource, string Label, string Url);

public sealed record ConsoleBatchView(IReadOnlyList<ConsoleLineView> Lines, long Dropped);

public sealed record DashboardInfo(
    string Application,
    bool Unsecured,
    IReadOnlyList<ResourceLink> Links,
    IReadOnlyList<string> Projects,
    Otlp.TelemetryLimits Limits,
    int MaxConsoleLinesOnScreen);
