using System.Net;
using System.Text.RegularExpressions;
using Coinage.Web.Tests.Infrastructure;

namespace Coinage.Web.Tests;

/// <summary>The real Vite build in Coinage.Web/wwwroot, as `dotnet build` produces it, served by the host.</summary>
public sealed partial class ClientBuildTests
{
    [Fact]
    public async Task The_built_front_end_is_served_with_hashed_assets_and_no_inline_script()
    {
        var webRoot = FindBuiltWebRoot();
        await using var factory = new WebHostFactory(webRoot);
        using var client = factory.CreateRawClient();

        var index = await client.GetStringAsync("/markets/BTC-USD", TestContext.Current.CancellationToken);

        // script-src 'self' forbids inline scripts: every <script> must load a file.
        var scripts = ScriptTag().Matches(index);
        Assert.NotEmpty(scripts);
        Assert.All(scripts, script => Assert.Matches(@"\ssrc=""/assets/[^""]+-[A-Za-z0-9_-]{8}\.js""", script.Value));
        Assert.All(scripts, script => Assert.EndsWith("></script>", script.Value, StringComparison.Ordinal));

        var bundle = AssetReference().Match(index).Groups["path"].Value;
        using var response = await client.GetAsync(bundle, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("public, max-age=31536000, immutable", response.CacheControl());
    }

    private static string FindBuiltWebRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Coinage.sln")))
            {
                var webRoot = Path.Combine(directory.FullName, "Coinage.Web", "wwwroot");
                if (!File.Exists(Path.Combine(webRoot, "index.html")))
                {
                    Assert.Skip("Coinage.Web/wwwroot has no build (was it built with -p:SkipClientBuild=true?).");
                }
                return webRoot;
            }
        }
        throw new InvalidOperationException($"No Coinage.sln above {AppContext.BaseDirectory}.");
    }

    [GeneratedRegex(@"<script\b[^>]*>.*?</script>", RegexOptions.Singleline | RegexOptions.IgnoreCase)]
    private static partial Regex ScriptTag();

    [GeneratedRegex(@"src=""(?<path>/assets/[^""]+\.js)""")]
    private static partial Regex AssetReference();
}
