package fr.catie.vaniila.web;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import fr.catie.vaniila.files.FileProblem;
import fr.catie.vaniila.files.UserFiles;
import fr.catie.vaniila.files.WorkspacePath;
import fr.catie.vaniila.identity.Caller;
import fr.catie.vaniila.platform.Problem;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.MessageSource;
import org.springframework.context.i18n.LocaleContextHolder;
import org.springframework.core.io.InputStreamResource;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.util.unit.DataSize;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.multipart.MaxUploadSizeExceededException;
import org.springframework.web.multipart.MultipartException;
import org.springframework.web.multipart.MultipartFile;
import org.springframework.web.multipart.MultipartHttpServletRequest;
import org.springframework.web.servlet.mvc.method.annotation.StreamingResponseBody;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;
import org.springframework.web.util.UriComponentsBuilder;

/**
 * The Files pages: browse the caller's workspace, upload (one multipart request per file from the page's
 * script, so each gets its own progress bar; several at once without it), download files and folders (as a
 * streamed zip), preview text and images, make folders, rename and delete. Every path is a {@code path}
 * query parameter relative to the caller's own workspace; {@link UserFiles} refuses any that leads out.
 */
@Controller
@RequestMapping("/files")
public class FilesController {

    /** Set by the page's script on uploads: the answer is then JSON for the script, not a page. */
    static final String SCRIPT_HEADER = "X-Requested-With";

    private final UserFiles files;
    private final MessageSource messages;
    private final PhraseBook words;
    private final long maxFileBytes;

    public FilesController(UserFiles files, MessageSource messages, PhraseBook words,
            @Value("${spring.servlet.multipart.max-file-size:1MB}") DataSize maxFile) {
        this.files = files;
        this.messages = messages;
        this.words = words;
        this.maxFileBytes = maxFile.toBytes();
    }

    /** A folder of the workspace (a file's path leads to its own page). */
    @GetMapping({"", "/"})
    public String browse(@RequestParam(defaultValue = "") String path, Model model, Locale locale) {
        Caller caller = Pages.caller();
        if (!files.isFolder(caller, path)) {
            return "redirect:" + link("/files/view", WorkspacePath.parse(path).value());
        }
        UserFiles.Listing listing = files.list(caller, path);
        model.addAttribute("caller", caller);
        model.addAttribute("listing", listing);
        model.addAttribute("folder", listing.folder());
        model.addAttribute("usage", listing.usage());
        model.addAttribute("sizes", new FileSizes(locale));
        model.addAttribute("maxFileBytes", maxFileBytes);
        return "files/list";
    }

    /** A file's page: its size and date, a preview, and what can be done with it. */
    @GetMapping("/view")
    public String view(@RequestParam String path, Model model, Locale locale) {
        Caller caller = Pages.caller();
        UserFiles.FileInfo info = files.stat(caller, path);
        UserFiles.Preview preview = files.preview(caller, path);
        model.addAttribute("caller", caller);
        model.addAttribute("file", info);
        model.addAttribute("folder", info.path().parent());
        model.addAttribute("sizes", new FileSizes(locale));
        model.addAttribute("previewKind", preview instanceof UserFiles.Text ? "text"
                : preview instanceof UserFiles.Image ? "image" : "binary");
        model.addAttribute("preview", preview);
        return "files/view";
    }

    /** A file as an attachment, whatever its type: the browser saves it and never renders it. */
    @GetMapping("/download")
    public ResponseEntity<?> download(@RequestParam String path) {
        Caller caller = Pages.caller();
        if (files.isFolder(caller, path)) {
            return zip(path);
        }
        UserFiles.Opened opened = files.open(caller, path);
        return ResponseEntity.ok()
                .header(HttpHeaders.CONTENT_DISPOSITION, ContentDisposition.attachment()
                        .filename(opened.info().name(), StandardCharsets.UTF_8).build().toString())
                .header("X-Content-Type-Options", "nosniff")
                .contentType(MediaType.APPLICATION_OCTET_STREAM)
                .contentLength(opened.info().size())
                .body(new InputStreamResource(opened.content()));
    }

    /**
     * A file for the preview: images inline with their own type, anything else (HTML and SVG included, which
     * could run scripts in the portal's origin) as an attachment.
     */
    @GetMapping("/raw")
    public ResponseEntity<?> raw(@RequestParam String path) {
        Caller caller = Pages.caller();
        UserFiles.FileInfo info = files.stat(caller, path);
        if (info.imageType() == null) {
            return download(path);
        }
        UserFiles.Opened opened = files.open(caller, path);
        return ResponseEntity.ok()
                .header(HttpHeaders.CONTENT_DISPOSITION, ContentDisposition.inline()
                        .filename(info.name(), StandardCharsets.UTF_8).build().toString())
                .header("X-Content-Type-Options", "nosniff")
                .contentType(MediaType.parseMediaType(info.imageType()))
                .contentLength(info.size())
                .body(new InputStreamResource(opened.content()));
    }

    /** A folder as a zip, written as it is read (never whole in memory); links are left out. */
    @GetMapping("/zip")
    public ResponseEntity<StreamingResponseBody> zip(@RequestParam(defaultValue = "") String path) {
        Caller caller = Pages.caller();
        WorkspacePath folder = WorkspacePath.parse(path);
        if (!files.isFolder(caller, path)) {
            throw new Problem(Problem.Kind.INVALID, "'" + path + "' is a file: download it as it is.");
        }
        String name = (folder.isRoot() ? caller.username() : folder.name()) + ".zip";
        StreamingResponseBody body = out -> files.zip(caller, folder.value(), out);
        return ResponseEntity.ok()
                .header(HttpHeaders.CONTENT_DISPOSITION,
                        ContentDisposition.attachment().filename(name, StandardCharsets.UTF_8).build().toString())
                .header("X-Content-Type-Options", "nosniff")
                .contentType(MediaType.parseMediaType("application/zip"))
                .body(body);
    }

    /**
     * Files into a folder. The page's script sends one file per request and reads a JSON answer; a form
     * posted without the script gets the folder's page back with a message. Before the parts are read, an
     * upload whose announced length cannot fit in the workspace is refused ({@link RoomCheck}), so that it is
     * not spooled to disk for nothing; the exact check follows once the parts are in.
     */
    @PostMapping("/upload")
    public Object upload(HttpServletRequest request, RedirectAttributes flash, Locale locale) {
        Caller caller = Pages.caller();
        // Read from the query string: asking the request for a parameter would read the whole body first.
        String path = queryParameter(request, "path");
        List<UserFiles.Upload> uploads = new ArrayList<>();
        List<MultipartFile> sent = request instanceof MultipartHttpServletRequest multipart
                ? multipart.getFiles("files") : List.of();
        for (MultipartFile f : sent) {
            if (!f.isEmpty() || (f.getOriginalFilename() != null && !f.getOriginalFilename().isEmpty())) {
                uploads.add(new UserFiles.Upload(f.getOriginalFilename(), f.getSize(), f));
            }
        }
        List<WorkspacePath> stored = files.upload(caller, path, uploads);
        List<String> names = stored.stream().map(WorkspacePath::name).toList();
        String done = messages.getMessage("files.uploaded", new Object[] {String.join(", ", names)}, locale);
        if (fromScript(request)) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("stored", names);
            body.put("message", done);
            return ResponseEntity.ok(body);
        }
        flash.addFlashAttribute("success", new Pages.Flash("files.uploaded", String.join(", ", names)));
        return "redirect:" + link("/files", WorkspacePath.parse(path).value());
    }

    /**
     * Refuses an upload whose announced length cannot fit in the caller's workspace before anything reads
     * its body (the language interceptor asks for a parameter, which would spool the whole upload to disk):
     * registered ahead of the other interceptors by {@link FilesWebConfiguration}. Its refusal is answered by
     * this controller's exception handler, as JSON to the page's script. Stateless; thread-safe.
     */
    static final class RoomCheck implements org.springframework.web.servlet.HandlerInterceptor {
        private final UserFiles files;

        RoomCheck(UserFiles files) {
            this.files = files;
        }

        @Override
        public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) {
            long announced = request.getContentLengthLong();
            if ("POST".equals(request.getMethod()) && announced > MULTIPART_ENVELOPE) {
                files.requireRoom(Pages.caller(), announced - MULTIPART_ENVELOPE);
            }
            return true;
        }
    }

    /**
     * More than the multipart framing of an upload can take (boundaries, part headers, the CSRF field), so
     * that a body longer than the free space plus this certainly holds more file bytes than fit.
     */
    static final long MULTIPART_ENVELOPE = 64 * 1024;

    /** A parameter of the query string, decoded as the servlet container would; empty when absent. */
    static String queryParameter(HttpServletRequest request, String name) {
        String query = request.getQueryString();
        if (query == null) {
            return "";
        }
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            if (key.equals(name)) {
                return eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            }
        }
        return "";
    }

    @PostMapping("/mkdir")
    public String mkdir(@RequestParam(defaultValue = "") String path, @RequestParam(defaultValue = "") String name,
            RedirectAttributes flash, Locale locale) {
        String back = link("/files", path);
        try {
            WorkspacePath made = files.mkdir(Pages.caller(), path, name);
            flash.addFlashAttribute("success", new Pages.Flash("files.folderMade", made.name()));
        } catch (Problem p) {
            flash.addFlashAttribute("error", message(p, locale));
        }
        return "redirect:" + back;
    }

    @PostMapping("/rename")
    public String rename(@RequestParam String path, @RequestParam(defaultValue = "") String name,
            RedirectAttributes flash, Locale locale) {
        WorkspacePath old = WorkspacePath.parse(path);
        try {
            WorkspacePath renamed = files.rename(Pages.caller(), path, name);
            flash.addFlashAttribute("success", new Pages.Flash("files.renamed", old.name(), renamed.name()));
        } catch (Problem p) {
            flash.addFlashAttribute("error", message(p, locale));
        }
        return "redirect:" + link("/files", old.parent().value());
    }

    /** Asks before deleting, saying how much goes (a folder goes with everything in it). */
    @GetMapping("/delete")
    public String confirmDelete(@RequestParam String path, Model model, Locale locale) {
        Caller caller = Pages.caller();
        WorkspacePath target = WorkspacePath.parse(path);
        boolean folder;
        try {
            folder = files.isFolder(caller, path);
        } catch (FileProblem p) {
            if (p.reason() != FileProblem.Reason.NOT_A_FILE && p.reason() != FileProblem.Reason.THROUGH_LINK) {
                throw p;
            }
            folder = false; // a link out of the workspace, or a special file: deleted as it is
        }
        model.addAttribute("caller", caller);
        model.addAttribute("target", target);
        model.addAttribute("folder", target.parent());
        model.addAttribute("isFolder", folder);
        return "files/delete";
    }

    @PostMapping("/delete")
    public String delete(@RequestParam String path, RedirectAttributes flash, Locale locale) {
        WorkspacePath target = WorkspacePath.parse(path);
        try {
            files.delete(Pages.caller(), path);
            flash.addFlashAttribute("success", new Pages.Flash("files.deleted", target.name()));
        } catch (Problem p) {
            flash.addFlashAttribute("error", message(p, locale));
        }
        return "redirect:" + link("/files", target.parent().value());
    }

    /** A refused request: the script gets JSON, a person a page that says what to change. */
    @ExceptionHandler(Problem.class)
    public Object problem(Problem p, HttpServletRequest request, HttpServletResponse response, Model model) {
        return refuse(HttpStatus.valueOf(p.kind().httpStatus()), message(p, LocaleContextHolder.getLocale()), request, response, model);
    }

    @ExceptionHandler(MaxUploadSizeExceededException.class)
    public Object tooLarge(MaxUploadSizeExceededException e, HttpServletRequest request, HttpServletResponse response,
            Model model) {
        Locale locale = LocaleContextHolder.getLocale();
        String text = messages.getMessage("files.error.TOO_LARGE",
                new Object[] {new FileSizes(locale).human(maxFileBytes)}, locale);
        return refuse(HttpStatus.PAYLOAD_TOO_LARGE, text, request, response, model);
    }

    @ExceptionHandler(MultipartException.class)
    public Object badUpload(MultipartException e, HttpServletRequest request, HttpServletResponse response,
            Model model) {
        Locale locale = LocaleContextHolder.getLocale();
        return refuse(HttpStatus.BAD_REQUEST, messages.getMessage("files.error.UPLOAD_BROKEN", null, locale), request,
                response, model);
    }

    private Object refuse(HttpStatus status, String text, HttpServletRequest request, HttpServletResponse response,
            Model model) {
        if (fromScript(request)) {
            return ResponseEntity.status(status).contentType(MediaType.APPLICATION_JSON).body(Map.of("error", text));
        }
        response.setStatus(status.value());
        model.addAttribute("problem", text);
        model.addAttribute("status", status.value());
        return "files/problem";
    }

    /** The problem in the page's language: a file problem by its reason, another module's by its phrase. */
    private String message(Problem p, Locale locale) {
        if (p instanceof FileProblem fp) {
            return messages.getMessage("files.error." + fp.reason().name(), fp.args().toArray(), p.getMessage(),
                    locale);
        }
        return words.say(p, locale);
    }

    private static boolean fromScript(HttpServletRequest request) {
        return "XMLHttpRequest".equals(request.getHeader(SCRIPT_HEADER));
    }

    /** A page's address with the path as its (strictly encoded) query parameter; no parameter for the workspace. */
    static String link(String page, String path) {
        if (path == null || path.isEmpty()) {
            return page;
        }
        return UriComponentsBuilder.fromPath(page).queryParam("path", "{path}").encode().buildAndExpand(path)
                .toUriString();
    }
}
