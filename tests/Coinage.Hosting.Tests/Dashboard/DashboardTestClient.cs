using System.Net;
using System.Net.Http.Json;
using Coinage.Hosting.Dashboard;
using Microsoft.Extensions.DependencyInjection;

namespace Coinage.Hosting.Tests.Dashboard;

/// <summary>Signs in to a running dashboard with its token, as ops do with the printed link.</summary>
internal static class DashboardTestClient
{
    public static DashboardServer Dashboard(this CoinageApplication app) => app.Services.GetRequiredService<DashboardServer>();

    /// <summary>An HttpClient without a session (cookies kept, redirects not followed).</summary>
    public static HttpClient Anonymous(DashboardServer dashboard, CookieContainer? cookies = null) =>
        new(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false, CookieContainer = cookies ?? new CookieContainer(), UseCookies = true })
        {
            BaseAddress = dashboard.Url,
            Timeout = TimeSpan.FromSeconds(30),
        };

    public static async Task<HttpClient> SignedInAsync(DashboardServer dashboard)
    {
        var client = Anonymous(dashboard);
        using var response = await client.GetAsync(dashboard.LoginUrl);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return client;
    }

    /// <summary>
    /// Polls <paramref name="read"/> until it yields a value, or fails with what was last seen. A
    /// 404 counts as "not yet" (an instrument or trace the receiver has not seen so far).
    /// </summary>
    public static async Task<T> EventuallyAsync<T>(Func<Task<T?>> read, TimeSpan timeout, string what) where T : class
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                if (await read() is { } value)
                {
                    return value;
                }
            }
            catch (HttpRequestException ex) when (ex.StatusCode == HttpStatusCode.NotFound)
            {
                // Not there yet.
            }
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Timed out after {timeout.TotalSeconds:0} s waiting for {what}.");
            }
            await Task.Delay(250, TestContext.Current.CancellationToken);
        }
    }

    public static Task<T?> GetJsonAsync<T>(this HttpClient client, string path) =>
        client.GetFromJsonAsync<T>(path, TestContext.Current.CancellationToken);
}
