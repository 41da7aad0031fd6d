package fr.catie.vaniila.web;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;

import fr.catie.vaniila.identity.Caller;
import fr.catie.vaniila.interactive.InteractiveAllocations;
import fr.catie.vaniila.nodes.Nodes;
import fr.catie.vaniila.queues.QueueSpec;
import fr.catie.vaniila.queues.Queues;
import fr.catie.vaniila.security.SecurityConfiguration;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;

/**
 * The terminal page: choose the command shell or a shell in a new allocation, then xterm.js talks
 * to {@link TerminalConfiguration#SOCKET}. The page's only difference in policy is for styles: see
 * {@link #policy(String)}.
 */
@Controller
public class TerminalController {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Queues queues;
    private final Nodes nodes;
    private final ObjectProvider<InteractiveAllocations> allocations;

    public TerminalController(Queues queues, Nodes nodes, ObjectProvider<InteractiveAllocations> allocations) {
        this.queues = queues;
        this.nodes = nodes;
        this.allocations = allocations;
    }

    /**
     * The page: the two modes (the allocation form only when a bean opens allocations), the queues
     * the caller's organisation may use and the GPU flavors of the cluster, the socket's address and
     * a fresh nonce for xterm.js's style elements.
     */
    @GetMapping("/terminal")
    public String terminal(Model model, HttpServletResponse response) {
        Caller caller = Pages.caller();
        byte[] bytes = new byte[18];
        RANDOM.nextBytes(bytes);
        String nonce = Base64.getEncoder().encodeToString(bytes);
        // Set before the security headers are written: Spring Security's writer keeps a policy already set.
        response.setHeader("Content-Security-Policy", policy(nonce));
        model.addAttribute("nonce", nonce);
        model.addAttribute("allocations", allocations.getIfAvailable() != null);
        List<QueueSpec> usable = queues.list().stream()
                .filter(q -> q.organisations().isEmpty() || q.organisations().contains(caller.organisation())).toList();
        model.addAttribute("queues", usable);
        model.addAttribute("flavors", Nodes.flavors(nodes.inventory()));
        model.addAttribute("socket", TerminalConfiguration.SOCKET);
        return "terminal/terminal";
    }

    /**
     * The portal's policy, with one addition for this page: xterm.js (6.0) writes its cell sizes and
     * colours into {@code <style>} elements it creates at run time, and offers no way to give them a
     * nonce. The page's script stamps this response's nonce on the style elements created, so
     * {@code style-src-elem} admits those and no others; style attributes stay forbidden (xterm sets
     * styles through the CSSOM, which CSP does not restrict; only its 24-bit colours use the style
     * attribute, and the shell prints none).
     */
    static String policy(String nonce) {
        return SecurityConfiguration.CONTENT_SECURITY_POLICY + "; style-src-elem 'self' 'nonce-" + nonce + "'";
    }
}
