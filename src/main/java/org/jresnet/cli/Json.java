package org.jresnet.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

/** The one Jackson mapper of the CLI: {@code --json} output is exactly one document on stdout. */
public final class Json {
    public static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private Json() {}

    public static void print(Object value) throws Exception {
        System.out.println(MAPPER.writeValueAsString(value));
        System.out.flush();
    }
}
