package org.jresnet.io.torch;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** Hand-written pickle streams for tests: one method per opcode, so a test reads like pickletools' output. */
final class PickleBytes {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    PickleBytes op(int... bytes) {
        for (int b : bytes) out.write(b);
        return this;
    }

    PickleBytes proto(int v) { return op(0x80, v); }
    PickleBytes mark() { return op('('); }
    PickleBytes stop() { return op('.'); }
    PickleBytes none() { return op('N'); }
    PickleBytes tuple() { return op('t'); }
    PickleBytes emptyDict() { return op('}'); }
    PickleBytes emptyList() { return op(']'); }
    PickleBytes setitems() { return op('u'); }
    PickleBytes appends() { return op('e'); }
    PickleBytes reduce() { return op('R'); }
    PickleBytes binpersid() { return op('Q'); }
    PickleBytes newFalse() { return op(0x89); }

    PickleBytes global(String module, String name) {
        op('c');
        raw((module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
        return this;
    }

    PickleBytes str(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        op('X');
        raw(le4(b.length));
        raw(b);
        return this;
    }

    PickleBytes binint(int v) {
        op('J');
        raw(le4(v));
        return this;
    }

    /** LONG1 of a value that needs 8 bytes, e.g. 2^40. */
    PickleBytes long8(long v) {
        op(0x8a, 8);
        raw(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array());
        return this;
    }

    PickleBytes raw(byte[] b) {
        out.writeBytes(b);
        return this;
    }

    static byte[] le4(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array();
    }

    static byte[] le8(long v) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array();
    }

    byte[] bytes() { return out.toByteArray(); }

    /** The first three pickles of a legacy torch.save file: magic number, protocol 1001, sys_info. */
    static byte[] legacyHeader() {
        PickleBytes p = new PickleBytes().proto(2).op(0x8a, 10);
        byte[] magic = new java.math.BigInteger("1950a86a20f9469cfc6c", 16).toByteArray();
        for (int i = magic.length - 1; i >= 0; i--) p.op(magic[i] & 0xff);
        p.stop().proto(2).op('M', 1001 & 0xff, 1001 >> 8).stop().proto(2).emptyDict().stop();
        return p.bytes();
    }

    /** ('storage', torch.FloatStorage, key, 'cpu', numel, None) as a legacy persistent id. */
    PickleBytes legacyStorage(String key, long numel) {
        mark().str("storage").global("torch", "FloatStorage").str(key).str("cpu");
        if (numel > Integer.MAX_VALUE) long8(numel);
        else binint((int) numel);
        return none().tuple().binpersid();
    }

    /** _rebuild_tensor_v2(storage, offset, (size,), (1,), False, OrderedDict()) for a 1-d tensor. */
    PickleBytes tensor1d(String key, long storageNumel, int offset, long size) {
        global("torch._utils", "_rebuild_tensor_v2").mark();
        legacyStorage(key, storageNumel).binint(offset);
        mark();
        if (size > Integer.MAX_VALUE) long8(size);
        else binint((int) size);
        tuple().mark().binint(1).tuple().newFalse().global("collections", "OrderedDict").mark().tuple().reduce();
        return tuple().reduce();
    }
}
