package fr.catie.vaniila.gateway;

import java.util.Map;
import java.util.UUID;

import fr.catie.vaniila.platform.Problem;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;

/** HTTP adapter of the agent protocol: {@code /agent/v1/*}, authenticated by node token ({@link NodeTokenFilter}). */
@RestController
@RequestMapping("/agent/v1")
public class AgentApi {

    private final AgentGateway gateway;

    public AgentApi(AgentGateway gateway) {
        this.gateway = gateway;
    }

    @PostMapping("/register")
    public Map<String, Object> register(@RequestBody JsonNode body, HttpServletRequest request) {
        return gateway.register(allowed(request), body);
    }

    @PostMapping("/sync")
    public Map<String, Object> sync(@RequestBody JsonNode body, @RequestParam(defaultValue = "0") int wait,
            HttpServletRequest request) {
        return gateway.sync(allowed(request), body, wait);
    }

    @PostMapping(path = "/logs/{launchId}", consumes = "application/octet-stream")
    public Map<String, Object> logs(@PathVariable UUID launchId, @RequestParam String stream, @RequestParam long offset,
            @RequestBody(required = false) byte[] data, HttpServletRequest request) {
        return gateway.uploadLog(allowed(request), launchId, stream, offset, data == null ? new byte[0] : data);
    }

    private static String allowed(HttpServletRequest request) {
        Object node = request.getAttribute(NodeTokenFilter.NODE_ATTRIBUTE);
        if (node == null) {
            throw new Problem(Problem.Kind.UNAUTHENTICATED, "A node token is required.");
        }
        return node.toString();
    }
}
