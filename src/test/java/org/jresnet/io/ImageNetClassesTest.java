package org.jresnet.io;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jresnet.models.ModelConfig;
import org.junit.jupiter.api.Test;

class ImageNetClassesTest {
    @Test void theShippedListIsTorchvisionsInItsOrder() throws Exception {
        List<String> n = ImageNetClasses.names();
        assertThat(n).hasSize(1000);
        assertThat(new HashSet<>(n)).hasSize(1000);
        assertThat(n.get(0)).isEqualTo("tench");
        assertThat(n.get(207)).isEqualTo("golden retriever");
        assertThat(n.get(999)).isEqualTo("toilet tissue");
        // The list as Debian's python3-torchvision has it, read from its source (importing torchvision takes seconds).
        String out = Python.check(60, "-c", "import ast, importlib.util, json, os;"
                + " path = os.path.join(os.path.dirname(importlib.util.find_spec('torchvision').origin), 'models', '_meta.py');"
                + " tree = ast.parse(open(path).read());"
                + " print(json.dumps(next(ast.literal_eval(n.value) for n in tree.body if isinstance(n, ast.Assign)"
                + " and getattr(n.targets[0], 'id', '') == '_IMAGENET_CATEGORIES')))");
        List<String> torchvision = new ObjectMapper().readValue(out.strip(), new TypeReference<List<String>>() {});
        assertThat(n).isEqualTo(torchvision);
    }

    @Test void thousandClassModelsWithoutNamesGetThem() throws Exception {
        assertThat(ModelMetadata.defaults(ModelConfig.of("resnet50")).classes()).isEqualTo(ImageNetClasses.names());
        assertThat(ModelMetadata.defaults(ModelConfig.of("resnet50").withNumClasses(7)).classes())
                .isEqualTo(ModelMetadata.numbered(7));
        assertThat(ModelMetadata.defaults(ModelConfig.of("resnet20")).classes()).isEqualTo(ModelMetadata.CIFAR10_CLASSES);
        Map<String, String> m = new LinkedHashMap<>(ModelMetadata.defaults(ModelConfig.of("resnet18")).toMap());
        m.put("classes", new ObjectMapper().writeValueAsString(ModelMetadata.numbered(1000)));
        assertThat(ModelMetadata.fromMap(m, java.nio.file.Path.of("x")).classes()).isEqualTo(ImageNetClasses.names());
        assertThat(ModelMetadata.defaultNames(ImageNetClasses.names())).isTrue();
        assertThat(ModelMetadata.defaultNames(ModelMetadata.numbered(12))).isTrue();
        assertThat(ModelMetadata.defaultNames(ModelMetadata.CIFAR10_CLASSES)).isFalse();
    }
}
