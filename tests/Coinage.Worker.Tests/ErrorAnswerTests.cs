using System.Net.Http.Headers;
using System.Text.Json;

namespace Coinage.Worker.Tests;

/// <summary>The Worker's own endpoints answer errors as JSON problem details whatever the Accept header (issue 19).</summary>
public sealed class ErrorAnswerTests(InfrastructureFixture infrastructure)
{
    /// <remarks>The probes and /metrics answer every method, so the Worker has no 405 of its own.</remarks>
    [Fact]
    public async Task An_unknown_path_is_a_json_problem_details_404_whatever_the_accept_header()
    {
        await using var factory = new WorkerFactory(infrastructure);
        using var client = factory.CreateClient();
        var cases = new (HttpMethod Method, string Path, string Accept, int Status)[]
        {
            (HttpMethod.Get, "/no-such-page", "text/html", 404),
            (HttpMethod.Get, "/no-such-page", "application/xml", 404),
            (HttpMethod.Post, "/no-such-job", "*/*;q=0", 404),
            (HttpMethod.Delete, "/no-such-page", "garbage", 404),
        };
        foreach (var (method, path, accept, status) in cases)
        {
            using var request = new HttpRequestMessage(method, path);
            request.Headers.TryAddWithoutValidation("Accept", accept);

            using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);

            Assert.Equal(status, (int)response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
            Assert.Equal(status, problem.RootElement.GetProperty("status").GetInt32());
            Assert.False(string.IsNullOrEmpty(problem.RootElement.GetProperty("title").GetString()));
        }
    }
}
