using System.Globalization;
using Coinage.Hosting.ApplicationModel;
using Coinage.Hosting.Orchestration;

namespace Coinage.Hosting.MailDev;

/// <summary>An SMTP sink with a web inbox (maildev from npm); production uses a real SMTP server.</summary>
public sealed class MailDevResource : Resource, IResourceWithConnectionString, IRunnableResource
{
    public MailDevResource(string name) : base(name)
    {
        Annotations.Add(new EndpointAnnotation(this, "smtp", "smtp", 1025));
        Annotations.Add(new EndpointAnnotation(this, "http", "http", 1080));
    }

    public override string ResourceType => "MailDev";

    /// <summary><c>Endpoint=smtp://host:port</c>, the format of the Aspire MailDev integration.</summary>
    public string GetConnectionString(IValueContext context) => $"Endpoint={context.Url(this.GetEndpoint("smtp"))}";

    public IResourceRunner CreateRunner(RunContext context) => new MailDevRunner(this, context);
}

public static class MailDevBuilderExtensions
{
    public static IResourceBuilder<MailDevResource> AddMailDev(this CoinageApplicationBuilder builder, string name) =>
        builder.AddResource(new MailDevResource(name));
}

internal sealed class MailDevRunner(MailDevResource resource, RunContext context) : IResourceRunner
{
    private string _program = "";

    public Task PrepareAsync(CancellationToken cancellationToken)
    {
        var local = context.ResolvePath("eng/tools/node_modules/.bin/maildev");
        _program = ExecutableLocator.Require(resource.Name, "npm ci --prefix eng/tools", local, "maildev");
        return Task.CompletedTask;
    }

    public ProcessSpec? CreateProcess(int replica) => new(_program,
    [
        "--ip", "127.0.0.1", "--smtp", Port("smtp"),
        "--web-ip", "127.0.0.1", "--web", Port("http"),
    ]);

    public Task<bool> IsHealthyAsync(int replica, CancellationToken cancellationToken) =>
        context.HttpOkAsync($"{context.Values.Url(resource.GetEndpoint("http"))}/email", cancellationToken);

    private string Port(string endpoint) => context.Values.Port(resource.GetEndpoint(endpoint)).ToString(CultureInfo.InvariantCulture);
}
