using System.Globalization;
using System.Text;

namespace Coinage.Web.Tests.Infrastructure;

/// <summary>
/// A small Vite-shaped build (index.html, a hashed bundle under assets/, an unhashed favicon) in a temporary
/// folder, so the hosting rules are tested against known files whatever state ClientApp's own build is in.
/// </summary>
public sealed class TestWebRoot : IDisposable
{
    public const string AssetPath = "/assets/index-C0ffee42.js";
    public const string IndexMarker = "<!-- coinage test index -->";

    public TestWebRoot()
    {
        Path = Directory.CreateTempSubdirectory("coinage-web-tests-").FullName;
        Directory.CreateDirectory(System.IO.Path.Combine(Path, "assets"));
        File.WriteAllText(System.IO.Path.Combine(Path, "index.html"),
            $"""
            <!doctype html>
            <html lang="en"><head><title>Coinage</title>
            <script type="module" crossorigin src="{AssetPath}"></script></head>
            <body>{IndexMarker}<div id="root"></div></body></html>
            """);
        // Large and repetitive enough that compression is both applied and obvious.
        var bundle = new StringBuilder();
        for (var i = 0; i < 400; i++)
        {
            bundle.AppendLine(CultureInfo.InvariantCulture, $"export const line{i} = 'Coinage trades BTC, ETH and USD on order-book markets';");
        }
        AssetContent = bundle.ToString();
        File.WriteAllText(System.IO.Path.Combine(Path, "assets", "index-C0ffee42.js"), AssetContent);
        File.WriteAllText(System.IO.Path.Combine(Path, "favicon.svg"), """<svg xmlns="http://www.w3.org/2000/svg"/>""");
    }

    public string Path { get; }

    public string AssetContent { get; }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open by a finishing request: the OS temp cleaner gets it.
        }
    }
}
