package org.jresnet.io;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jresnet.io.SafeTensorsException.Fault;

/**
 * Reader and writer of the safetensors format (huggingface/safetensors): an 8-byte little-endian
 * header length N, N bytes of JSON ({@code name -> {dtype, shape, data_offsets:[begin,end]}} plus
 * an optional {@code "__metadata__"} string-to-string map; padded with spaces so the data starts
 * 8-byte aligned), then the raw little-endian tensor bytes, offsets relative to the data start.
 *
 * <p>Reading is strict, like the reference implementation: every tensor's byte range must match its
 * shape and dtype, ranges must not overlap and must tile the data section exactly. Everything is
 * validated before any tensor byte is read, so a hostile file can neither execute anything (there
 * is no code in the format) nor make us read out of bounds.
 */
public final class SafeTensors {
    /**
     * Caps checked before the header is parsed, so a hostile header cannot cost seconds and
     * gigabytes (the reference implementation's 100 MB of JSON took 25 s and 2 GB here). Real
     * headers are kilobytes (ResNet-152: under 100 KB, 800 tensors).
     */
    public static final long MAX_HEADER_BYTES = 16L << 20;
    public static final int MAX_TENSORS = 65_536;
    public static final String METADATA_KEY = "__metadata__";
    /** Offsets beyond 2^53 cannot come from a real file and would lose precision in JSON numbers. */
    private static final long MAX_OFFSET = 1L << 53;
    private static final int IO_CHUNK = 1 << 20;

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private SafeTensors() {}

    private record Entry(String name, DType dtype, int[] shape, long begin, long end) {}

    public static SafeTensorsFile read(Path file) throws IOException {
        if (Files.isDirectory(file)) {
            throw new SafeTensorsException(file, Fault.NOT_SAFETENSORS, "is a folder, not a safetensors file");
        }
        try {
            return readFile(file);
        } catch (SafeTensorsException | NoSuchFileException | AccessDeniedException e) {
            throw e;  // these name the file already
        } catch (IOException e) {
            throw new IOException("cannot read " + file + ": " + (e.getMessage() == null ? e.getClass().getSimpleName()
                    : e.getMessage()), e);
        }
    }

    /**
     * The {@code __metadata__} of a file without reading its tensors: a watcher polling a
     * checkpoint of hundreds of megabytes reads kilobytes. The header is checked as {@link #read} checks it.
     */
    public static Map<String, String> readMetadata(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long n = headerLength(file, ch);
            Map<String, String> metadata = new LinkedHashMap<>();
            parseHeader(file, readFully(ch, 8, (int) n), metadata);
            return metadata;
        }
    }

    /** The header's byte length, checked against the file's size and the cap before it is read. */
    private static long headerLength(Path file, FileChannel ch) throws IOException {
        long size = ch.size();
        if (size < 8) {
            throw new SafeTensorsException(file, Fault.TRUNCATED, "truncated: " + size
                    + " bytes, a safetensors file starts with an 8-byte header length");
        }
        ByteBuffer head = readFully(ch, 0, (int) Math.min(size, 16));
        checkMagic(file, head);
        long n = head.order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        if (n < 0 || n > MAX_HEADER_BYTES) {
            throw new SafeTensorsException(file, Fault.ABSURD_HEADER_LENGTH, "absurd header length "
                    + Long.toUnsignedString(n) + " (limit " + MAX_HEADER_BYTES + " bytes)");
        }
        if (n > size - 8) {
            throw new SafeTensorsException(file, Fault.HEADER_PAST_END, "header length " + n
                    + " reaches past the end of the file (" + size + " bytes): file truncated?");
        }
        if (n < 2) {
            throw new SafeTensorsException(file, Fault.HEADER_NOT_JSON, "header of " + n + " bytes cannot hold a JSON object");
        }
        return n;
    }

    private static SafeTensorsFile readFile(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            long n = headerLength(file, ch);
            ByteBuffer headerBytes = readFully(ch, 8, (int) n);
            Map<String, String> metadata = new LinkedHashMap<>();
            List<Entry> entries = parseHeader(file, headerBytes, metadata);
            long dataStart = 8 + n;
            validateLayout(file, entries, size - dataStart);

            Map<String, TensorData> tensors = new LinkedHashMap<>();
            for (Entry e : entries) tensors.put(e.name, readTensor(ch, dataStart, e));
            return new SafeTensorsFile(metadata, tensors);
        }
    }

    /** Recognises the common wrong inputs so the message can say what the file is instead. */
    private static void checkMagic(Path file, ByteBuffer head) throws SafeTensorsException {
        int b0 = head.get(0) & 0xff, b1 = head.get(1) & 0xff;
        if (b0 == 'P' && b1 == 'K') {
            throw new SafeTensorsException(file, Fault.NOT_SAFETENSORS, "not a safetensors file: it is a zip"
                    + " archive (a PyTorch torch.save checkpoint?); read it with WeightFiles or convert it with jresnet convert");
        }
        if (b0 == 0x80 && b1 >= 2 && b1 <= 5) {
            throw new SafeTensorsException(file, Fault.NOT_SAFETENSORS, "not a safetensors file: it is a Python"
                    + " pickle (an old torch.save checkpoint?); read it with WeightFiles or convert it with jresnet convert");
        }
        if (head.limit() > 8 && head.get(8) != '{') {
            throw new SafeTensorsException(file, Fault.NOT_SAFETENSORS, "not a safetensors file: no JSON"
                    + " header object after the 8-byte header length");
        }
    }

    private static List<Entry> parseHeader(Path file, ByteBuffer bytes, Map<String, String> metadataOut)
            throws SafeTensorsException {
        byte[] raw = new byte[bytes.remaining()];
        bytes.get(raw);
        checkTensorCount(file, raw);
        JsonNode root;
        try {
            root = JSON.readTree(raw);
        } catch (JsonProcessingException e) {
            String m = e.getOriginalMessage();
            int nl = m.indexOf('\n');
            throw new SafeTensorsException(file, Fault.HEADER_NOT_JSON, "header is not valid JSON: "
                    + (nl >= 0 ? m.substring(0, nl) : m) + locationOf(e));
        } catch (IOException e) {
            throw new SafeTensorsException(file, Fault.HEADER_NOT_JSON, "header is not valid JSON: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw new SafeTensorsException(file, Fault.HEADER_NOT_JSON, "header is JSON but not an object");
        }
        List<Entry> entries = new ArrayList<>();
        Iterator<Map.Entry<String, JsonNode>> it = root.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> f = it.next();
            String name = f.getKey();
            JsonNode v = f.getValue();
            if (name.equals(METADATA_KEY)) {
                if (!v.isObject()) throw new SafeTensorsException(file, Fault.BAD_METADATA, "__metadata__ is not an object");
                Iterator<Map.Entry<String, JsonNode>> m = v.fields();
                while (m.hasNext()) {
                    Map.Entry<String, JsonNode> kv = m.next();
                    if (!kv.getValue().isTextual()) {
                        throw new SafeTensorsException(file, Fault.BAD_METADATA, "__metadata__ value of '"
                                + kv.getKey() + "' is not a string (the format allows only strings)");
                    }
                    metadataOut.put(kv.getKey(), kv.getValue().textValue());
                }
                continue;
            }
            entries.add(parseEntry(file, name, v));
        }
        return entries;
    }

    /**
     * Counts the header's top-level entries with a streaming pass (constant memory, no tree)
     * and refuses more than {@link #MAX_TENSORS} before the tree is built. Malformed JSON is left
     * to the full parse, whose message is better.
     */
    private static void checkTensorCount(Path file, byte[] raw) throws SafeTensorsException {
        try (JsonParser p = JSON.getFactory().createParser(raw)) {
            if (p.nextToken() != JsonToken.START_OBJECT) return;
            int n = 0;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                if (!METADATA_KEY.equals(p.currentName()) && ++n > MAX_TENSORS) {
                    throw new SafeTensorsException(file, Fault.TOO_MANY_TENSORS, "more than " + MAX_TENSORS
                            + " tensors in the header (limit " + MAX_TENSORS + ")");
                }
                p.nextToken();
                p.skipChildren();
            }
        } catch (SafeTensorsException e) {
            throw e;
        } catch (IOException e) {
            // not JSON: the full parse reports where
        }
    }

    private static String locationOf(JsonProcessingException e) {
        return e.getLocation() == null ? "" : " at byte " + e.getLocation().getByteOffset() + " of the header";
    }

    private static Entry parseEntry(Path file, String name, JsonNode v) throws SafeTensorsException {
        String what = "tensor '" + name + "'";
        if (!v.isObject()) throw new SafeTensorsException(file, Fault.BAD_ENTRY, what + ": entry is not an object");
        JsonNode dt = v.get("dtype");
        if (dt == null) throw new SafeTensorsException(file, Fault.BAD_ENTRY, what + ": missing dtype");
        if (!dt.isTextual()) throw new SafeTensorsException(file, Fault.BAD_ENTRY, what + ": dtype is not a string");
        String dname = dt.textValue();
        DType dtype = DType.parse(dname).orElse(null);
        if (dtype == null) {
            if (DType.KNOWN_UNSUPPORTED.contains(dname)) {
                throw new SafeTensorsException(file, Fault.UNSUPPORTED_DTYPE, what + ": dtype " + dname
                        + " is not supported (supported: " + DType.supportedList() + ")");
            }
            throw new SafeTensorsException(file, Fault.UNKNOWN_DTYPE, what + ": unknown dtype '" + dname + "'");
        }
        JsonNode sh = v.get("shape");
        if (sh == null || !sh.isArray()) {
            throw new SafeTensorsException(file, Fault.BAD_ENTRY, what + ": missing or non-array shape");
        }
        int[] shape = new int[sh.size()];
        long numel = 1;
        for (int i = 0; i < shape.length; i++) {
            JsonNode d = sh.get(i);
            if (!d.isIntegralNumber() || !d.canConvertToLong() || d.asLong() < 0 || d.asLong() > Integer.MAX_VALUE) {
                throw new SafeTensorsException(file, Fault.BAD_ENTRY, what + ": bad dimension " + d + " in shape " + sh);
            }
            shape[i] = (int) d.asLong();
            numel = shape[i] != 0 && numel > Long.MAX_VALUE / shape[i] ? Long.MAX_VALUE : numel * shape[i];
        }
        JsonNode off = v.get("data_offsets");
        if (off == null || !off.isArray() || off.size() != 2) {
            throw new SafeTensorsException(file, Fault.BAD_ENTRY, what + ": data_offsets must be [begin, end]");
        }
        long[] be = new long[2];
        for (int i = 0; i < 2; i++) {
            JsonNode o = off.get(i);
            if (!o.isIntegralNumber() || !o.canConvertToLong() || o.asLong() < 0 || o.asLong() > MAX_OFFSET) {
                throw new SafeTensorsException(file, Fault.OFFSETS_OUT_OF_RANGE, what + ": data_offsets " + off + " out of range");
            }
            be[i] = o.asLong();
        }
        if (be[0] > be[1]) {
            throw new SafeTensorsException(file, Fault.OFFSETS_OUT_OF_RANGE, what + ": data_offsets " + off + " end before begin");
        }
        long bytes = numel > Long.MAX_VALUE / dtype.bytes ? Long.MAX_VALUE : numel * dtype.bytes;
        if (bytes != be[1] - be[0]) {
            throw new SafeTensorsException(file, Fault.SHAPE_SIZE_MISMATCH, what + ": shape " + sh + " of " + dname
                    + " needs " + (bytes == Long.MAX_VALUE ? "too many" : String.valueOf(bytes)) + " bytes but data_offsets "
                    + off + " span " + (be[1] - be[0]));
        }
        if (numel > Integer.MAX_VALUE - 16) {
            throw new SafeTensorsException(file, Fault.BAD_ENTRY, what + ": " + numel + " elements is more than a Java array holds");
        }
        return new Entry(name, dtype, shape, be[0], be[1]);
    }

    /** The byte ranges must tile {@code [0, dataBytes)} exactly: no overlap, no hole, nothing past the end. */
    private static void validateLayout(Path file, List<Entry> entries, long dataBytes) throws SafeTensorsException {
        List<Entry> sorted = new ArrayList<>(entries);
        sorted.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        boolean contiguous = true;
        long pos = 0;
        for (int i = 0; i < sorted.size(); i++) {
            Entry e = sorted.get(i);
            if (i > 0 && e.begin < sorted.get(i - 1).end) {
                Entry p = sorted.get(i - 1);
                throw new SafeTensorsException(file, Fault.OFFSETS_OVERLAP, "tensors '" + p.name + "' [" + p.begin + ", "
                        + p.end + ") and '" + e.name + "' [" + e.begin + ", " + e.end + ") overlap");
            }
            if (e.begin != pos) contiguous = false;
            pos = e.end;
        }
        long described = pos;
        if (described > dataBytes) {
            if (contiguous) {
                throw new SafeTensorsException(file, Fault.TRUNCATED, "truncated: the header describes " + described
                        + " bytes of tensor data but only " + dataBytes + " follow it");
            }
            for (Entry e : sorted) {
                if (e.end > dataBytes) {
                    throw new SafeTensorsException(file, Fault.OFFSETS_OUT_OF_RANGE, "tensor '" + e.name + "': data_offsets ["
                            + e.begin + ", " + e.end + "] out of range (data section has " + dataBytes + " bytes)");
                }
            }
        }
        pos = 0;
        for (Entry e : sorted) {
            if (e.begin != pos) {
                throw new SafeTensorsException(file, Fault.OFFSETS_GAP, "data bytes [" + pos + ", " + e.begin
                        + ") belong to no tensor (offsets do not cover the data; next is '" + e.name + "')");
            }
            pos = e.end;
        }
        if (pos < dataBytes) {
            throw new SafeTensorsException(file, Fault.TRAILING_BYTES, (dataBytes - pos)
                    + " bytes after the last tensor belong to no tensor (offsets do not cover the data)");
        }
    }

    private static TensorData readTensor(FileChannel ch, long dataStart, Entry e) throws IOException {
        int n = Math.toIntExact((e.end - e.begin) / e.dtype.bytes);
        float[] f = e.dtype.floating ? new float[n] : null;
        long[] l = e.dtype.floating ? null : new long[n];
        int perChunk = IO_CHUNK / e.dtype.bytes;
        for (int done = 0; done < n; ) {
            int k = Math.min(perChunk, n - done);
            ByteBuffer buf = readFully(ch, dataStart + e.begin + (long) done * e.dtype.bytes, k * e.dtype.bytes);
            buf.order(ByteOrder.LITTLE_ENDIAN);
            if (f != null) e.dtype.decodeFloats(buf, f, done, k);
            else e.dtype.decodeLongs(buf, l, done, k);
            done += k;
        }
        return new TensorData(e.dtype, e.shape, f, l);
    }

    private static ByteBuffer readFully(FileChannel ch, long pos, int len) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(len);
        while (b.hasRemaining()) {
            int r = ch.read(b, pos + b.position());
            if (r < 0) throw new IOException("unexpected end of file at byte " + (pos + b.position()) + " (file changed while reading?)");
        }
        b.flip();
        return b;
    }

    // ---------------------------------------------------------------- writing

    /** Writes {@code tensors} (in map order) and {@code metadata} atomically to {@code file}. */
    public static void write(Path file, Map<String, TensorData> tensors, Map<String, String> metadata) throws IOException {
        byte[] header = header(tensors, metadata);
        AtomicFiles.write(file, out -> {
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length);
            out.write(len.array());
            out.write(header);
            for (TensorData t : tensors.values()) writeData(out, t);
        });
    }

    /** The JSON header, space-padded to a multiple of 8 bytes so the data section starts aligned. */
    static byte[] header(Map<String, TensorData> tensors, Map<String, String> metadata) throws IOException {
        Map<String, Object> h = new LinkedHashMap<>();
        if (metadata != null && !metadata.isEmpty()) h.put(METADATA_KEY, new LinkedHashMap<>(metadata));
        long off = 0;
        for (Map.Entry<String, TensorData> e : tensors.entrySet()) {
            String name = e.getKey();
            TensorData t = e.getValue();
            if (name.isEmpty() || name.equals(METADATA_KEY)) throw new IllegalArgumentException("bad tensor name '" + name + "'");
            if (!t.dtype().writable) throw new IllegalArgumentException("tensor '" + name + "': writing " + t.dtype() + " is not supported");
            long bytes = (long) t.size() * t.dtype().bytes;
            Map<String, Object> info = new LinkedHashMap<>();
            info.put("dtype", t.dtype().name());
            info.put("shape", t.shape());
            info.put("data_offsets", new long[] {off, off + bytes});
            h.put(name, info);
            off += bytes;
        }
        byte[] json = JSON.writeValueAsBytes(h);
        int padded = (json.length + 7) & ~7;
        byte[] out = java.util.Arrays.copyOf(json, padded);
        java.util.Arrays.fill(out, json.length, padded, (byte) ' ');
        return out;
    }

    private static void writeData(OutputStream out, TensorData t) throws IOException {
        int n = t.size();
        int perChunk = IO_CHUNK / t.dtype().bytes;
        ByteBuffer buf = ByteBuffer.allocate(Math.max(1, Math.min(n, perChunk)) * t.dtype().bytes).order(ByteOrder.LITTLE_ENDIAN);
        for (int done = 0; done < n; ) {
            int k = Math.min(perChunk, n - done);
            buf.clear();
            if (t.floats() != null) t.dtype().encodeFloats(t.floats(), done, k, buf);
            else t.dtype().encodeLongs(t.longs(), done, k, buf);
            out.write(buf.array(), 0, buf.position());
            done += k;
        }
    }
}
