using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using NetVips;

namespace FoodCommunity.Images.Lambda.Tests;

/// <summary>
/// Photographs made with libvips the way a phone writes them: a JPEG with an EXIF block (orientation and a GPS
/// position), an XMP packet and an IPTC caption, spliced in as the APP1/APP13 segments cameras use. The stored
/// pixels are red on top and blue at the bottom, so which way up a rendition came out can be read from it.
/// </summary>
public static class TestPhotos
{
    public static readonly byte[] Red = [200, 40, 30];
    public static readonly byte[] Blue = [30, 60, 200];

    public static byte[] Jpeg(int width, int height, int orientation = 1, bool withMetadata = true)
    {
        using var top = Image.Black(width, height / 2).NewFromImage(Red.Select(b => (double)b).ToArray());
        using var bottom = Image.Black(width, height - (height / 2)).NewFromImage(Blue.Select(b => (double)b).ToArray());
        using var joined = top.Join(bottom, Enums.Direction.Vertical);
        // Camera-like texture, so the encoder does real work and the sizes are a photo's, not a flat colour's.
        using var noise = Image.Gaussnoise(width, height, sigma: 12);
        using var textured = (joined + (noise - 128)).Cast(Enums.BandFormat.Uchar);
        var plain = textured.JpegsaveBuffer(q: 92, keep: Enums.ForeignKeep.None);
        return withMetadata ? WithCameraMetadata(plain, orientation) : plain;
    }

    public static byte[] Png(int width, int height)
    {
        using var top = Image.Black(width, height / 2).NewFromImage(Red.Select(b => (double)b).ToArray());
        using var bottom = Image.Black(width, height - (height / 2)).NewFromImage(Blue.Select(b => (double)b).ToArray());
        using var joined = top.Join(bottom, Enums.Direction.Vertical);
        using var noise = Image.Gaussnoise(width, height, sigma: 12);
        using var textured = (joined + (noise - 128)).Cast(Enums.BandFormat.Uchar);
        return textured.PngsaveBuffer(compression: 1);
    }

    /// <summary>An animated WebP of three frames (of different colours: libwebp merges identical frames into one).</summary>
    public static byte[] AnimatedWebP()
    {
        using var first = Image.Black(64, 64).NewFromImage(120, 80, 40);
        using var second = Image.Black(64, 64).NewFromImage(20, 180, 40);
        using var third = Image.Black(64, 64).NewFromImage(20, 80, 240);
        using var strip = Image.Arrayjoin([first, second, third], across: 1).Cast(Enums.BandFormat.Uchar);
        using var animated = strip.Mutate(m =>
        {
            m.Set(GValue.GIntType, "page-height", 64);
            m.Set(GValue.ArrayIntType, "delay", new[] { 100, 100, 100 });
        });
        return animated.WebpsaveBuffer();
    }

    /// <summary>A valid, tiny PNG whose header declares <paramref name="width"/> × <paramref name="height"/>: a decompression bomb.</summary>
    public static byte[] PngDeclaring(int width, int height)
    {
        using var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            // Rows of zeros compress about 1000:1; a few MB of them is enough to start decoding.
            zlib.Write(new byte[4 * 1024 * 1024]);
        }

        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = 8;
        header[9] = 2;
        using var png = new MemoryStream();
        png.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        WriteChunk(png, "IHDR"u8, header);
        WriteChunk(png, "IDAT"u8, compressed.ToArray());
        WriteChunk(png, "IEND"u8, []);
        return png.ToArray();
    }

    private static void WriteChunk(Stream png, ReadOnlySpan<byte> type, ReadOnlySpan<byte> data)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, data.Length);
        png.Write(word);
        var crc = new System.IO.Hashing.Crc32();
        crc.Append(type);
        crc.Append(data);
        png.Write(type);
        png.Write(data);
        BinaryPrimitives.WriteUInt32BigEndian(word, crc.GetCurrentHashAsUInt32());
        png.Write(word);
    }

    private static byte[] WithCameraMetadata(byte[] jpeg, int orientation)
    {
        using var output = new MemoryStream();
        output.Write(jpeg.AsSpan(0, 2));
        WriteSegment(output, 0xE1, [.. "Exif\0\0"u8, .. Exif(orientation)]);
        WriteSegment(output, 0xE1, [.. "http://ns.adobe.com/xap/1.0/\0"u8, .. Encoding.UTF8.GetBytes(Xmp)]);
        WriteSegment(output, 0xED, Iptc());
        output.Write(jpeg.AsSpan(2));
        return output.ToArray();
    }

    private static void WriteSegment(Stream output, byte marker, byte[] payload)
    {
        output.Write([0xFF, marker, (byte)((payload.Length + 2) >> 8), (byte)(payload.Length + 2)]);
        output.Write(payload);
    }

    /// <summary>A little-endian TIFF block: IFD0 with Orientation and a pointer to a GPS IFD (N 37°33'50", E 126°58'30": Seoul).</summary>
    private static byte[] Exif(int orientation)
    {
        var tiff = new byte[140];
        var span = tiff.AsSpan();
        "II"u8.CopyTo(span);
        BinaryPrimitives.WriteUInt16LittleEndian(span[2..], 42);
        BinaryPrimitives.WriteUInt32LittleEndian(span[4..], 8);
        BinaryPrimitives.WriteUInt16LittleEndian(span[8..], 2);
        Entry(span[10..], 0x0112, 3, 1, (uint)orientation);
        Entry(span[22..], 0x8825, 4, 1, 38);
        BinaryPrimitives.WriteUInt32LittleEndian(span[34..], 0);
        BinaryPrimitives.WriteUInt16LittleEndian(span[38..], 4);
        Entry(span[40..], 0x0001, 2, 2, 'N');
        Entry(span[52..], 0x0002, 5, 3, 92);
        Entry(span[64..], 0x0003, 2, 2, 'E');
        Entry(span[76..], 0x0004, 5, 3, 116);
        BinaryPrimitives.WriteUInt32LittleEndian(span[88..], 0);
        uint[] rationals = [37, 1, 33, 1, 5000, 100, 126, 1, 58, 1, 3000, 100];
        for (var i = 0; i < rationals.Length; i++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(span[(92 + (4 * i))..], rationals[i]);
        }

        return tiff;

        static void Entry(Span<byte> at, ushort tag, ushort type, uint count, uint value)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(at, tag);
            BinaryPrimitives.WriteUInt16LittleEndian(at[2..], type);
            BinaryPrimitives.WriteUInt32LittleEndian(at[4..], count);
            BinaryPrimitives.WriteUInt32LittleEndian(at[8..], value);
        }
    }

    private const string Xmp =
        "<?xpacket begin=\"\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?><x:xmpmeta xmlns:x=\"adobe:ns:meta/\"><rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">" +
        "<rdf:Description rdf:about=\"\" xmlns:exif=\"http://ns.adobe.com/exif/1.0/\" exif:GPSLatitude=\"37,33.83N\" exif:GPSLongitude=\"126,58.5E\"/>" +
        "</rdf:RDF></x:xmpmeta><?xpacket end=\"w\"?>";

    /// <summary>A Photoshop APP13 block with one IPTC record: 2:120, the caption.</summary>
    private static byte[] Iptc()
    {
        var caption = "Dinner at home"u8;
        byte[] record = [0x1C, 0x02, 0x78, 0, (byte)caption.Length, .. caption];
        var resource = new List<byte>();
        resource.AddRange("Photoshop 3.0\0"u8.ToArray());
        resource.AddRange("8BIM"u8.ToArray());
        resource.AddRange([0x04, 0x04, 0, 0]);
        resource.AddRange([0, 0, 0, (byte)record.Length]);
        resource.AddRange(record);
        if (record.Length % 2 == 1)
        {
            resource.Add(0);
        }

        return [.. resource];
    }
}
