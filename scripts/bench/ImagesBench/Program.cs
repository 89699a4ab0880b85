using System.Diagnostics;
using System.Globalization;
using FoodCommunity.Domain.Uploads;
using FoodCommunity.Images.Lambda.Processing;
using NetVips;

// generate DIR: writes the benchmark's photos. process FILE REPEAT: processes FILE (its type from the
// extension) REPEAT times after one warm-up and prints one line of figures. One process per file, so
// the peak resident memory (VmHWM) is that file's rendition set plus the runtime.
ImageProcessor.ConfigureLibvips();
return args switch
{
    ["generate", var dir] => Generate(dir),
    ["process", var file, var repeat] => Process(file, int.Parse(repeat, CultureInfo.InvariantCulture)),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: ImagesBench generate DIR | process FILE REPEAT");
    return 2;
}

static int Generate(string dir)
{
    Directory.CreateDirectory(dir);
    // A phone's 12 MP photo: 4000 × 3000 JPEG at quality 92 with camera-like grain (about 5 MB, as phones write them).
    File.WriteAllBytes(Path.Combine(dir, "phone-12mp.jpg"), Photo(4000, 3000).JpegsaveBuffer(q: 92));
    // A 48 MP JPEG (8000 × 6000), the largest default of current phones, within the 50 MP limit.
    File.WriteAllBytes(Path.Combine(dir, "phone-48mp.jpg"), Photo(8000, 6000).JpegsaveBuffer(q: 85));
    // A large PNG (an edited photo saved losslessly), within the 15 MiB upload limit: 2600 × 1950.
    File.WriteAllBytes(Path.Combine(dir, "export-5mp.png"), Photo(2600, 1950).PngsaveBuffer(compression: 6));
    // A WebP a web client might send: 2400 × 1800.
    File.WriteAllBytes(Path.Combine(dir, "web-4mp.webp"), Photo(2400, 1800).WebpsaveBuffer(q: 85));
    foreach (var file in Directory.GetFiles(dir))
    {
        Console.WriteLine($"{Path.GetFileName(file)} {new FileInfo(file).Length} bytes");
    }

    return 0;
}

static Image Photo(int width, int height)
{
    // Detail at every scale, as in a photo of a plate: large shapes (noise 1/64 the size, enlarged), mid-size
    // texture (1/8) and sensor grain (full size). A flat colour would be too easy for the encoders, pure grain
    // too hard, and grain alone vanishes in the small renditions, which a real photo's detail does not.
    using var shapes = Image.Gaussnoise(width / 64 + 1, height / 64 + 1, sigma: 40).Resize(64, kernel: Enums.Kernel.Linear).Crop(0, 0, width, height);
    using var texture = Image.Gaussnoise(width / 8 + 1, height / 8 + 1, sigma: 25).Resize(8, kernel: Enums.Kernel.Linear).Crop(0, 0, width, height);
    using var grain = Image.Gaussnoise(width, height, sigma: 6);
    using var luma = shapes + (texture - 128) + (grain - 128);
    using var colour = luma.Bandjoin(luma * 0.75 + 10, luma * 0.45 + 5);
    return colour.Cast(Enums.BandFormat.Uchar).CopyMemory();
}

static int Process(string file, int repeat)
{
    var type = UploadPolicy.FindByExtension(Path.GetExtension(file).TrimStart('.')) ?? throw new ArgumentException($"{file}: not jpg, png or webp");
    var bytes = File.ReadAllBytes(file);
    var warm = ImageProcessor.Process(bytes, type) as ProcessingOutcome.Processed ?? throw new InvalidOperationException($"{file} was refused");
    var times = new List<double>(repeat);
    for (var i = 0; i < repeat; i++)
    {
        var clock = Stopwatch.StartNew();
        _ = ImageProcessor.Process(bytes, type);
        times.Add(clock.Elapsed.TotalMilliseconds);
    }

    times.Sort();
    var output = warm.Renditions.Sum(r => (long)r.Bytes.Length);
    var sizes = string.Join(" ", warm.Renditions.Select(r => $"{r.Rendition.Width}x{r.Rendition.Height}:{r.Bytes.Length / 1024}KiB"));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{Path.GetFileName(file)}\t{bytes.Length}\t{warm.Width}x{warm.Height}\t{times[times.Count / 2]:F0}\t{times[0]:F0}\t{times[^1]:F0}\t{PeakResidentMiB():F0}\t{output}\t{sizes}"));
    return 0;
}

static double PeakResidentMiB()
{
    var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
    return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0;
}
