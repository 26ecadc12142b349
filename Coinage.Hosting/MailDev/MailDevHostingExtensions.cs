using Coinage.Hosting.MailDev;

namespace Coinage.Hosting;

public static class MailDevHostingExtensions
{
    /// <summary>
    /// An SMTP sink named <paramref name="name"/> with its web inbox (endpoint <c>http</c>, shown as "Inbox"): the
    /// maildev container where a container runtime answers and when publishing, else maildev from <c>eng/tools</c>.
    /// Ports: <c>Coinage:Ports:{name}</c> (SMTP) and <c>Coinage:Ports:{name}-http</c> (inbox).
    /// </summary>
    public static IResourceBuilder<IMailDevResource> AddCoinageMailDev(this IDistributedApplicationBuilder builder, string name)
    {
        var hosting = CoinageHosting.For(builder);
        var smtpPort = hosting.PinnedPort(name);
        var httpPort = hosting.PinnedPort(name, IMailDevResource.HttpEndpointName);
        IResourceBuilder<IMailDevResource> mail;
        if (hosting.UseContainers)
        {
            mail = builder.AddResource(new MailDevContainerResource(name))
                .WithImage(MailDevContainerResource.Image, MailDevContainerResource.Tag)
                .WithEndpoint(port: smtpPort, targetPort: 1025, scheme: "smtp", name: IMailDevResource.SmtpEndpointName)
                .WithHttpEndpoint(port: httpPort, targetPort: 1080, name: IMailDevResource.HttpEndpointName);
        }
        else
        {
            var program = hosting.ResolvePath("eng/tools/node_modules/.bin/maildev");
            var process = builder.AddResource(new MailDevProcessResource(name, program, hosting.SolutionDirectory));
            builder.Eventing.Subscribe<BeforeResourceStartedEvent>(process.Resource, (_, _) => File.Exists(program)
                ? Task.CompletedTask
                : throw new ResourceStartException(process.Resource, $"maildev is not installed ({program}): run npm ci --prefix eng/tools, or ./coinage prereqs."));
            mail = process
                .WithEndpoint(port: smtpPort, scheme: "smtp", name: IMailDevResource.SmtpEndpointName, env: "MAILDEV_SMTP_PORT")
                .WithHttpEndpoint(port: httpPort, name: IMailDevResource.HttpEndpointName, env: "MAILDEV_WEB_PORT")
                .WithEnvironment("MAILDEV_IP", "127.0.0.1")
                .WithEnvironment("MAILDEV_WEB_IP", "127.0.0.1");
        }
        return mail
            .WithHttpHealthCheck("/email", endpointName: IMailDevResource.HttpEndpointName)
            .WithUrlForEndpoint(IMailDevResource.HttpEndpointName, url => url.DisplayText = "Inbox")
            .WithUrlForEndpoint(IMailDevResource.SmtpEndpointName, url => url.DisplayLocation = UrlDisplayLocation.DetailsOnly)
            .WithIconName("Mail");
    }
}
