using System.Net.Http.Headers;
using System.Text.Json;
using Coinage.Web.Tests.Infrastructure;

namespace Coinage.Web.Tests;

/// <summary>The front end's own errors are JSON problem details whatever the Accept header, like the API's (issue 19).</summary>
public sealed class ErrorAnswerTests(WebHostFixture host) : IClassFixture<WebHostFixture>
{
    public static TheoryData<string, string, string, int> Errors => new()
    {
        // method, path, Accept, status
        { "GET", "/assets/no-such-bundle.js", "text/html", 404 },
        { "GET", "/assets/no-such-bundle.js", "application/xml", 404 },
        { "POST", "/markets/BTC-USD", "text/html", 405 },
        { "DELETE", "/", "*/*;q=0", 405 },
        { "GET", "/favicon-missing.ico", "garbage", 404 },
    };

    [Theory]
    [MemberData(nameof(Errors))]
    public async Task An_error_of_the_front_end_is_json_problem_details(string method, string path, string accept, int status)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        request.Headers.TryAddWithoutValidation("Accept", accept);

        using var response = await host.Client.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(status, (int)response.StatusCode);
        await AssertProblemAsync(response, status);
    }

    [Fact]
    public async Task The_api_out_of_reach_is_a_502_problem()
    {
        // No API listens at the default address of a factory without one.
        await using var factory = new WebHostFactory(host.WebRoot.Path);
        using var client = factory.CreateRawClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/markets");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));

        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(502, (int)response.StatusCode);
        // The words the front end shows for a 502 (src/api/apiError.ts).
        Assert.Equal("The API is unreachable", await AssertProblemAsync(response, 502));
    }

    /// <returns>The problem's title.</returns>
    private static async Task<string?> AssertProblemAsync(HttpResponseMessage response, int status)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal(status, problem.RootElement.GetProperty("status").GetInt32());
        var title = problem.RootElement.GetProperty("title").GetString();
        Assert.False(string.IsNullOrEmpty(title));
        return title;
    }
}
