using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Coinage.Web.Tests.Infrastructure;

/// <summary>
/// Coinage.Web in-process. With <c>kestrel</c> it listens on a real loopback port (real connections, so the proxy
/// sees a client address and responses are really compressed); without it, TestServer, whose requests can claim
/// to be HTTPS (for HSTS).
/// </summary>
public sealed class WebHostFactory : WebApplicationFactory<Program>
{
    /// <summary>
    /// Not Development: there the SDK's static web assets manifest layers the project's own wwwroot over the web
    /// root, so the test web root would not be the only source of files.
    /// </summary>
    public const string TestingEnvironment = "Testing";

    private readonly string? _webRoot;
    private readonly Uri? _apiAddress;
    private readonly string _environment;
    private readonly IConfigurationSource? _extraConfiguration;
    private readonly IReadOnlyDictionary<string, string?> _settings;

    /// <param name="settings">Configuration the host reads from its first line on (log levels included, which win over the quiet defaults).</param>
    public WebHostFactory(string? webRoot, Uri? apiAddress = null, string environment = TestingEnvironment, bool kestrel = true,
        IConfigurationSource? extraConfiguration = null, IReadOnlyDictionary<string, string?>? settings = null)
    {
        _webRoot = webRoot;
        _apiAddress = apiAddress;
        _environment = environment;
        _extraConfiguration = extraConfiguration;
        _settings = settings ?? new Dictionary<string, string?>();
        if (kestrel)
        {
            UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        }
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(_environment);
        if (_webRoot is not null)
        {
            builder.UseSetting(WebHostDefaults.WebRootKey, _webRoot);
        }
        // Nothing listens at port 9 (discard): without an API address, proxied calls must fail fast with a 502.
        builder.UseSetting("services:apiservice:http:0", (_apiAddress ?? new Uri("http://127.0.0.1:9")).ToString());
        // Host settings: seen by Program while it builds (telemetry exporters, trusted proxies), not only afterwards.
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }
        builder.ConfigureAppConfiguration(configuration =>
        {
            // Test output keeps what matters: warnings and errors.
            configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Logging:LogLevel:Default"] = "Warning",
                ["Logging:LogLevel:Yarp"] = "Warning",
                ["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = "Warning",
            });
            configuration.AddInMemoryCollection(_settings);
            if (_extraConfiguration is not null)
            {
                configuration.Add(_extraConfiguration);
            }
        });
    }

    /// <summary>
    /// Starts the Kestrel server and returns a client of it that shows responses as sent: no automatic
    /// decompression (compression is under test), no redirects, no system proxy.
    /// </summary>
    public HttpClient CreateRawClient()
    {
        StartServer();
        var address = Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        return new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseProxy = false, AutomaticDecompression = DecompressionMethods.None })
        {
            BaseAddress = new Uri(address),
        };
    }
}
