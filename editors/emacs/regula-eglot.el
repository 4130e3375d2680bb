;;; regula-eglot.el --- Regula model specs with eglot  -*- lexical-binding: t; -*-

;; A small major mode for the .regula DSL (comments, strings, keywords, numbers) and eglot
;; settings that start `regula lsp' for it.  Load it from your init file:
;;
;;   (load "/path/to/regula/editors/emacs/regula-eglot.el")
;;
;; `regula' must be on `exec-path'.  Eglot is built into Emacs 29; on Emacs 26.3-28 install it
;; from GNU ELPA (M-x package-install RET eglot).

;;; Code:

(require 'eglot)

(defconst regula-font-lock-keywords
  `((,(rx line-start (* space)
          (group (or "regula" "model" "input" "defaults" "regularize" "layers" "loss" "train" "data"))
          word-end (not (any ":" "=")))
     1 font-lock-keyword-face)
    (,(rx line-start (* space) (group "block") (+ space) (group (+ (any alnum "_"))))
     (1 font-lock-keyword-face) (2 font-lock-function-name-face))
    (,(rx word-start (or "repeat" "as" "expect") word-end) . font-lock-keyword-face)
    (,(rx word-start (or "true" "false" "null") word-end) . font-lock-constant-face)
    (,(rx word-start (+ digit) (* (any digit "_")) (? "." (+ digit)) (? (any "eE") (? (any "+-")) (+ digit)) word-end)
     . font-lock-constant-face)
    (,(rx (group (+ (any alnum "_"))) (* space) ":") 1 font-lock-variable-name-face)
    (,(rx (group (+ (any alnum "_"))) (* space) "(") 1 font-lock-function-name-face))
  "Highlighting for `regula-mode': Grammar.md, section 2.")

(defvar regula-mode-syntax-table
  (let ((table (make-syntax-table)))
    (modify-syntax-entry ?# "<" table)
    (modify-syntax-entry ?\n ">" table)
    (modify-syntax-entry ?\" "\"" table)
    (modify-syntax-entry ?_ "_" table)
    table)
  "Syntax table for `regula-mode': # comments to the line end, \"strings\".")

;;;###autoload
(define-derived-mode regula-mode prog-mode "Regula"
  "Major mode for Regula model specs written in the .regula DSL."
  (setq-local comment-start "# ")
  (setq-local comment-start-skip "#+\\s-*")
  (setq-local indent-tabs-mode nil)
  (setq-local font-lock-defaults '(regula-font-lock-keywords)))

;;;###autoload
(add-to-list 'auto-mode-alist '("\\.regula\\'" . regula-mode))

(add-to-list 'eglot-server-programs '(regula-mode . ("regula" "lsp")))
(add-hook 'regula-mode-hook #'eglot-ensure)

;; YAML specs: uncomment to use regula for YAML too (it then replaces any other YAML server
;; eglot would start, in every YAML buffer; M-x eglot in a spec's buffer is the one-off way).
;; (add-to-list 'eglot-server-programs '((yaml-mode yaml-ts-mode) . ("regula" "lsp")))

(provide 'regula-eglot)
;;; regula-eglot.el ends here
